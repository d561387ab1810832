import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, keyId, NoteError, openCheckpoint, openNote, parseCheckpointText, parseNote, parseVerifierKey, verifierKey } from './note.js';
import { ed25519Signer, generateSigner, signCheckpoint, signerFromNoteKey, signNote, verifierKeyOf } from './signer.js';

// The Go reference implementation's example key and note (golang.org/x/mod/sumdb/note).
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof NoteError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('signed notes: the Go reference example', () => {
  it('derives the same key id and verifier key text', () => {
    const signer = signerFromNoteKey(SKEY);
    expect(verifierKeyOf(signer).text).toBe(VKEY);
    expect(keyId('PeterNeumann', signer.publicKey).toString('hex')).toBe('c74f20a3');
  });

  it('signs the example text byte for byte as Go does (Ed25519 is deterministic)', async () => {
    expect(await signNote(TEXT, signerFromNoteKey(SKEY))).toBe(`${TEXT}\n${SIG}`);
  });

  it('opens the example note with the verifier key, and nothing altered', () => {
    const key = parseVerifierKey(VKEY);
    expect(openNote(`${TEXT}\n${SIG}`, [key]).text).toBe(TEXT);
    expect(reasonOf(() => openNote(`${TEXT.replace('cryptography', 'cryptographY')}\n${SIG}`, [key]))).toBe('bad_signature');
    expect(reasonOf(() => openNote(`${TEXT}\n${SIG.replace('x08go', 'x08gp')}`, [key]))).toBe('unverified');
  });

  it('refuses every proper substring and every one-character change of the verifier key', () => {
    const b = Buffer.from(VKEY);
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i !== 0 || j !== b.length) expect(reasonOf(() => parseVerifierKey(b.subarray(i, j).toString())), b.subarray(i, j).toString()).not.toBe('accepted');
      }
    }
    for (let i = 0; i < b.length; i++) {
      const c = Buffer.from(b);
      c[i]! += 1;
      expect(reasonOf(() => parseVerifierKey(c.toString()))).not.toBe('accepted');
    }
  });
});

describe('signed notes: parsing', () => {
  const { signer } = generateSigner('municloud.test/audit');
  const key = verifierKeyOf(signer);

  it('ignores signatures by unknown keys but needs one by a known key', async () => {
    const other = generateSigner('witness.example/w1').signer;
    const note = await signNote('hello\n', signer);
    const cosigned = note + (await signNote('hello\n', other)).split('\n\n')[1];
    expect(openNote(cosigned, [key]).verifiedBy.map((k) => k.name)).toEqual(['municloud.test/audit']);
    expect(openNote(cosigned, [key, verifierKeyOf(other)]).verifiedBy).toHaveLength(2);
    expect(reasonOf(() => openNote(cosigned, [verifierKey('municloud.test/audit', other.publicKey)]))).toBe('unverified');
  });

  it('takes the text up to the last blank line', async () => {
    const note = await signNote('a\n\nb\n', signer);
    expect(parseNote(note).text).toBe('a\n\nb\n');
    expect(openNote(note, [key]).text).toBe('a\n\nb\n');
  });

  it('refuses malformed notes', async () => {
    const note = await signNote('hello\n', signer);
    const bad = [
      'hello\n',
      note.replace('\n\n', '\n'),
      note.slice(0, -1),
      note.replace('— ', '-- '),
      note.replace('— ', '—'),
      note.replace('hello', 'hel\rlo'),
      note.replace('hello', 'hel\tlo'),
      note.replace(/ ([A-Za-z0-9+/=]+)\n$/, ' $1=\n'),
      note.replace('municloud.test/audit ', 'municloud+test '),
      `${note}— x AAAA\n`,
      'hello\n\n' + '— a AAAAAAAA\n'.repeat(101),
    ];
    for (const b of bad) expect(reasonOf(() => openNote(b, [key])), JSON.stringify(b)).toMatch(/malformed_note|unverified/);
  });
});

describe('checkpoints', () => {
  const { signer } = generateSigner('municloud.test/audit');
  const key = verifierKeyOf(signer);
  const root = Buffer.alloc(32, 7);

  it('round-trips origin, size and root hash through a signed note', async () => {
    await fc.assert(
      fc.asyncProperty(fc.maxSafeNat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (size, bytes) => {
        const note = await signCheckpoint({ origin: signer.name, treeSize: size, rootHash: Buffer.from(bytes) }, signer);
        const c = openCheckpoint(note, key);
        expect(c.treeSize).toBe(size);
        expect(c.rootHash.equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('writes exactly the C2SP body', () => {
    expect(formatCheckpoint({ origin: 'example.com/log', treeSize: 20852163, rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64') })).toBe(
      'example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('refuses forged, corrupted, foreign and malformed checkpoints', async () => {
    const note = await signCheckpoint({ origin: signer.name, treeSize: 42, rootHash: root }, signer);
    expect(reasonOf(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), key))).toBe('bad_signature');
    const forger = generateSigner(signer.name).signer;
    const forged = await signCheckpoint({ origin: signer.name, treeSize: 42, rootHash: root }, forger);
    expect(reasonOf(() => openCheckpoint(forged, key))).toBe('unverified');
    const foreign = ed25519Signer('other.example/log', Buffer.alloc(32, 1));
    expect(reasonOf(() => openCheckpoint(note, verifierKeyOf(foreign)))).toBe('unverified');
    const sameKeyOtherOrigin = await signCheckpoint({ origin: 'other.example/log', treeSize: 42, rootHash: root }, signer);
    expect(reasonOf(() => openCheckpoint(sameKeyOtherOrigin, key))).toBe('wrong_origin');
    for (const body of ['o\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n', 'o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw==\n', 'o\n1\n', 'o\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n', 'o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', '\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n', 'o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwd=\n']) {
      expect(reasonOf(() => parseCheckpointText(body)), JSON.stringify(body)).toBe('malformed_checkpoint');
    }
  });
});
