import { describe, expect, it } from 'vitest';
import { consumerFilter, durableName, eventSubject, municipalitySubjects, relayedEvent, supportsFilterSubjects } from './jetstream.js';

describe('the JetStream relay’s subjects and messages', () => {
  it('names a subject per municipality and topic', () => {
    expect(eventSubject('131016', 'resident_register.move_in')).toBe('municloud.events.131016.resident_register.move_in');
    expect(municipalitySubjects('131016')).toBe('municloud.events.131016.>');
    expect(durableName('7c1e0000-0000-4000-8000-000000000000')).toBe('subscription-7c1e0000-0000-4000-8000-000000000000');
  });

  it('carries the stored envelope and the outbox payload, nothing more', () => {
    const payload = { changeId: 'c', kind: 'move_in', residentIds: ['r'], householdIds: ['h'] };
    const message = relayedEvent('131016', { position: { txid: '7481', seq: '118' }, id: 'c', topic: 'resident_register.move_in', payload, recordedAt: '2026-04-02T01:23:45.678Z' });
    expect(message).toEqual({ id: 'c', topic: 'resident_register.move_in', version: 1, municipalityCode: '131016', cursor: '7481.118', recordedAt: '2026-04-02T01:23:45.678Z', data: payload });
  });

  it('filters a consumer on its topics where the server can, else on its municipality', () => {
    const topics = ['resident_register.move_in', 'resident_register.birth'];
    expect(consumerFilter('131016', topics.slice(0, 1), false)).toEqual({ filter_subject: 'municloud.events.131016.resident_register.move_in' });
    expect(consumerFilter('131016', topics, true)).toEqual({ filter_subjects: ['municloud.events.131016.resident_register.move_in', 'municloud.events.131016.resident_register.birth'] });
    expect(consumerFilter('131016', topics, false)).toEqual({ filter_subject: 'municloud.events.131016.>' });
  });

  it('knows which servers take several filter subjects (2.10 and later)', () => {
    expect(supportsFilterSubjects('2.9.10')).toBe(false);
    expect(supportsFilterSubjects('2.10.0')).toBe(true);
    expect(supportsFilterSubjects('2.11.3')).toBe(true);
    expect(supportsFilterSubjects('3.0.0')).toBe(true);
    expect(supportsFilterSubjects(undefined)).toBe(false);
  });
});
