import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseCells } from './config.js';

const A = 'postgres://admin:pw@db-a.example:5432/municloud';
const B = 'postgres://admin:pw@db-b.example:5432/municloud';

describe('parseCells', () => {
  it('parses cellId=url pairs separated by commas, spaces or line breaks', () => {
    expect(parseCells(`cell-1=${A},cell-2=${B}`)).toEqual([
      { id: 'cell-1', adminUrl: A },
      { id: 'cell-2', adminUrl: B },
    ]);
    expect(parseCells(`  cell-1=${A}\n\tcell-2=${B} ,, `)).toHaveLength(2);
  });

  it('gives no cells for an empty or blank spec', () => {
    expect(parseCells('')).toEqual([]);
    expect(parseCells(' , \n')).toEqual([]);
  });

  it('keeps = signs inside the URL', () => {
    expect(parseCells('a=postgres://h/db?sslmode=require')).toEqual([{ id: 'a', adminUrl: 'postgres://h/db?sslmode=require' }]);
  });

  it.each(['Cell-1', 'cell_1', '1cell', '-cell', 'c'.repeat(32), 'セル', 'cell.1'])('refuses the cell id %j', (id) => {
    expect(() => parseCells(`${id}=${A}`)).toThrow(ConfigError);
    expect(() => parseCells(`${id}=${A}`)).toThrow(/lower-case letters, digits and hyphens/);
  });

  it.each(['a', 'cell-1', 'c'.repeat(31), 'tokyo-2'])('accepts the cell id %j', (id) => {
    expect(parseCells(`${id}=${A}`)[0]!.id).toBe(id);
  });

  it('refuses a duplicate cell id', () => {
    expect(() => parseCells(`cell-1=${A},cell-1=${B}`)).toThrow(/appears twice/);
  });

  it.each(['cell-1', `=${A}`, `cell-1${A}`])('refuses an entry without cellId= (%j)', (entry) => {
    expect(() => parseCells(entry)).toThrow(/must look like cellId=postgres/);
  });

  it.each(['cell-1=', 'cell-1=not-a-url', 'cell-1=//host/db', 'cell-1=db-a.example:5432/municloud'.replace(':', ' ')])(
    'refuses a bad URL (%j)',
    (entry) => {
      expect(() => parseCells(entry)).toThrow(ConfigError);
    },
  );

  it('names the cell, never the URL (which may hold a password), in the error', () => {
    try {
      parseCells('cell-1=s3cret-password-not-a-url');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('cell-1');
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});

describe('loadConfig', () => {
  it('defaults to embedded mode', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      mode: 'embedded',
      dataDir: path.resolve('./data'),
      controlAdminUrl: undefined,
      cells: [],
      defaultCellId: 'cell-1',
      ownerRole: 'municloud_owner',
      appRole: 'municloud_app',
      appPassword: undefined,
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'info',
      sessionTtlSeconds: 8 * 3600,
      bodyLimitBytes: 64 * 1024,
      cursorSecret: undefined,
      trustedProxies: [],
      placementPolicy: 'development',
    });
  });

  it('enforces the placement policy with DATABASE_URL unless told otherwise; the embedded mode defaults to development', () => {
    const url = 'postgres://admin@db.example/municloud';
    expect(loadConfig({ DATABASE_URL: url }).placementPolicy).toBe('enforce');
    expect(loadConfig({}).placementPolicy).toBe('development');
    expect(loadConfig({ DATABASE_URL: url, MUNICLOUD_PLACEMENT_POLICY: 'development' }).placementPolicy).toBe('development');
    expect(loadConfig({ MUNICLOUD_PLACEMENT_POLICY: ' enforce ' }).placementPolicy).toBe('enforce');
    expect(loadConfig({ DATABASE_URL: url, MUNICLOUD_PLACEMENT_POLICY: '' }).placementPolicy).toBe('enforce');
    for (const bad of ['off', 'ENFORCE', 'dev']) {
      expect(() => loadConfig({ MUNICLOUD_PLACEMENT_POLICY: bad })).toThrow('MUNICLOUD_PLACEMENT_POLICY must be enforce or development');
    }
  });

  it('takes nats:// or tls:// URLs for the JetStream relay and refuses others without repeating them', () => {
    expect(loadConfig({ MUNICLOUD_NATS_URL: 'nats://a:4222,tls://user:pw@b:4222' }).natsUrl).toBe('nats://a:4222,tls://user:pw@b:4222');
    for (const bad of ['http://a:4222', 'a:4222', 'nats://ok:1,secret-garbage']) {
      expect(() => loadConfig({ MUNICLOUD_NATS_URL: bad })).toThrow(ConfigError);
      try {
        loadConfig({ MUNICLOUD_NATS_URL: bad });
      } catch (err) {
        expect((err as Error).message).not.toContain(bad);
      }
    }
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', PORT: '', MUNICLOUD_DATA_DIR: '', MUNICLOUD_APP_PASSWORD: '', MUNICLOUD_CURSOR_SECRET: '', MUNICLOUD_OWNER_ROLE: '' });
    expect(c).toMatchObject({ mode: 'embedded', port: 3000, dataDir: path.resolve('./data'), appPassword: undefined, cursorSecret: undefined, ownerRole: 'municloud_owner' });
  });

  it('reads the settings it is given', () => {
    const c = loadConfig({
      MUNICLOUD_DATA_DIR: '/var/lib/municloud',
      HOST: '0.0.0.0',
      PORT: '8080',
      LOG_LEVEL: 'debug',
      MUNICLOUD_SESSION_TTL_SECONDS: '600',
      MUNICLOUD_BODY_LIMIT_BYTES: '1024',
      MUNICLOUD_APP_PASSWORD: 'app-pw',
      MUNICLOUD_CURSOR_SECRET: 'cursor-secret',
      MUNICLOUD_OWNER_ROLE: 'owner_x',
      MUNICLOUD_APP_ROLE: 'app_x',
    });
    expect(c).toMatchObject({
      dataDir: '/var/lib/municloud',
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'debug',
      sessionTtlSeconds: 600,
      bodyLimitBytes: 1024,
      appPassword: 'app-pw',
      cursorSecret: 'cursor-secret',
      ownerRole: 'owner_x',
      appRole: 'app_x',
    });
  });

  it('uses external mode with one cell in the control database when only DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: A });
    expect(c).toMatchObject({ mode: 'external', controlAdminUrl: A, cells: [{ id: 'cell-1', adminUrl: A }], defaultCellId: 'cell-1' });
  });

  it('uses the configured cells, the first one by default', () => {
    const c = loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: `tokyo-1=${A} osaka-1=${B}` });
    expect(c.cells.map((x) => x.id)).toEqual(['tokyo-1', 'osaka-1']);
    expect(c.defaultCellId).toBe('tokyo-1');
    expect(loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: `tokyo-1=${A} osaka-1=${B}`, MUNICLOUD_DEFAULT_CELL: 'osaka-1' }).defaultCellId).toBe('osaka-1');
  });

  it('refuses a default cell that is not configured', () => {
    expect(() => loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: `tokyo-1=${A}`, MUNICLOUD_DEFAULT_CELL: 'osaka-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: A, MUNICLOUD_DEFAULT_CELL: 'cell-2' })).toThrow(/MUNICLOUD_DEFAULT_CELL "cell-2" is not one of the configured cells/);
  });

  it('passes MUNICLOUD_CELLS errors on', () => {
    expect(() => loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: `Bad=${A}` })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: `a=${A},a=${B}` })).toThrow(/appears twice/);
    expect(() => loadConfig({ DATABASE_URL: A, MUNICLOUD_CELLS: 'a=nope' })).toThrow(/no valid URL/);
  });

  it('ignores MUNICLOUD_CELLS in embedded mode', () => {
    expect(loadConfig({ MUNICLOUD_CELLS: 'Bad cells' }).cells).toEqual([]);
  });

  it.each(['PORT', 'MUNICLOUD_SESSION_TTL_SECONDS', 'MUNICLOUD_BODY_LIMIT_BYTES'])('refuses a %s that is not a non-negative integer', (name) => {
    for (const value of ['abc', '3000.5', '-1', 'NaN', 'Infinity', '1e400']) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(`${name} must be a non-negative integer`);
    }
  });

  it.each(['MUNICLOUD_OWNER_ROLE', 'MUNICLOUD_APP_ROLE'])('refuses a %s that is not a plain role name', (name) => {
    for (const value of ['Owner', 'app-role', '1app', 'app;drop', 'a'.repeat(64), 'app role', '"app"']) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(/must be a plain lower-case PostgreSQL role name/);
    }
    expect(loadConfig({ [name]: '_app_1' })).toBeTruthy();
  });
});
