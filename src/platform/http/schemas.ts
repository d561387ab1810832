/** Schema building blocks shared by every route. */
import { Type, type TSchema } from 'typebox';

/**
 * Free text: no control characters (C0, DEL, C1) and no private-use code points
 * (外字): municloud stores standard Unicode only. Line breaks are not allowed
 * either; multi-line fields will declare their own rule.
 */
export const TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\ue000-\\uf8ff\\u{f0000}-\\u{10ffff}]*$';

export function Text(options: { minLength?: number; maxLength: number; description?: string }) {
  return Type.String({ minLength: options.minLength ?? 1, ...options, pattern: TEXT_PATTERN });
}

export const OrganizationCode = Type.String({
  format: 'local-government-code',
  description: 'Six-digit local public body code (JIS X 0401/0402) with its check digit',
  examples: ['131016'],
});

export const Uuid = Type.String({ format: 'uuid' });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size' });
export const Cursor = Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_.-]+$', description: 'Opaque cursor from nextCursor' });

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ minimum: 0, description: 'Matching items, across all pages' }),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    message: Type.Object({ ja: Type.String(), en: Type.String() }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String(),
          rule: Type.String(),
          message: Type.Object({ ja: Type.String(), en: Type.String() }),
        }),
      ),
    ),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
