import { describe, expect, it } from 'vitest';
import { contentUuid, MUNICLOUD_UUID_NAMESPACE, uuidV5 } from './uuid.js';

describe('uuidV5', () => {
  it('matches RFC 9562’s example (the DNS namespace and www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives version 5 UUIDs that OSCAL’s UUIDDatatype admits', () => {
    const pattern = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
    expect(MUNICLOUD_UUID_NAMESPACE).toMatch(pattern);
    for (let i = 0; i < 50; i++) expect(contentUuid('catalog', { i })).toMatch(pattern);
  });

  it('contentUuid changes exactly when the content does', () => {
    expect(contentUuid('catalog', { a: 1 })).toBe(contentUuid('catalog', { a: 1 }));
    expect(contentUuid('catalog', { a: 1 })).not.toBe(contentUuid('catalog', { a: 2 }));
    expect(contentUuid('catalog', { a: 1 })).not.toBe(contentUuid('profile', { a: 1 }));
  });
});
