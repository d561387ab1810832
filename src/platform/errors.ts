/**
 * Errors as RFC 9457 problem details, each with a stable code and a message in
 * Japanese and English. Messages never carry personal data: they name fields
 * and rules, never the values that were sent.
 */

export interface Message {
  readonly ja: string;
  readonly en: string;
}

export interface FieldError {
  /** JSON Pointer into the request part, prefixed by the part: body/name, querystring/limit, params/code. */
  readonly field: string;
  readonly rule: string;
  readonly message: Message;
}

/** The stable codes; clients may switch on them. Documented in docs/errors.md. */
export const PROBLEMS = {
  validation_failed: { status: 400, ja: '入力内容に誤りがあります。', en: 'The request is invalid.' },
  malformed_json: { status: 400, ja: 'JSON の形式が正しくありません。', en: 'The request body is not well-formed JSON.' },
  invalid_cursor: { status: 400, ja: 'ページ送りのカーソルが無効です。', en: 'The pagination cursor is invalid.' },
  invalid_organization_code: {
    status: 400,
    ja: '団体コードが正しくありません（6桁・検査数字）。',
    en: 'The local public body code is malformed (six digits with a valid check digit).',
  },
  unknown_organization: { status: 404, ja: '該当する団体がありません。', en: 'No such organization.' },
  abolished_organization: {
    status: 422,
    ja: 'この団体は廃止されています。',
    en: 'This organization no longer exists.',
  },
  unauthenticated: { status: 401, ja: '認証が必要です。', en: 'Authentication is required.' },
  invalid_credentials: {
    status: 401,
    ja: '団体コード、ログイン名またはパスワードが正しくありません。',
    en: 'The organization code, login name or password is wrong.',
  },
  mfa_required: {
    status: 403,
    ja: '二要素認証が必要です。認証アプリを登録し、確認コードでログインしてください。',
    en: 'Multi-factor login is required: enrol an authenticator app and log in with its code.',
  },
  too_many_attempts: {
    status: 429,
    ja: '失敗が続いたため一時的にロックされています。しばらくしてから再度お試しください。',
    en: 'Too many failed attempts: locked for a while. Try again later.',
  },
  purpose_not_allowed: {
    status: 403,
    ja: '個人番号を利用できる法定の事務目的が宣言されていません。',
    en: 'No legal purpose for using My Number was declared for this operation.',
  },
  network_zone_refused: {
    status: 403,
    ja: '個人番号利用事務系のネットワークからのみ利用できます。',
    en: "Allowed only from the municipality's My Number network zone.",
  },
  reads_blocked: {
    status: 403,
    ja: '短時間に多数の住民情報を閲覧したため、閲覧を停止しました。団体管理者に連絡してください。',
    en: 'Reading personal data is blocked for this account after too many residents were viewed; contact your administrator.',
  },
  forbidden: { status: 403, ja: 'この操作を行う権限がありません。', en: 'You are not allowed to do this.' },
  four_eyes_required: {
    status: 403,
    ja: '一括出力は申請者本人では承認・却下できません。別の団体管理者が判断してください。',
    en: 'A bulk export cannot be approved or rejected by its requester: another administrator must decide (four eyes).',
  },
  separation_of_duties: {
    status: 403,
    ja: 'この認定の判断の根拠となる評価者の判定の一部を、あなた自身が記録しています。判定を記録していない別の運用者が判断してください（職務の分離）。',
    en: 'You recorded findings this certification decision rests on: an operator who recorded none of them must decide (separation of duties).',
  },
  export_requester_only: {
    status: 403,
    ja: '一括出力ファイルをダウンロードできるのは申請者本人のみです。',
    en: 'Only the requester may download a bulk export file.',
  },
  not_found: { status: 404, ja: '該当するデータがありません。', en: 'Not found.' },
  route_not_found: { status: 404, ja: 'そのような API はありません。', en: 'No such API route.' },
  method_not_allowed: { status: 405, ja: 'このメソッドは使えません。', en: 'Method not allowed.' },
  conflict: { status: 409, ja: '他の更新と競合しました。最新の内容を取得してやり直してください。', en: 'The data changed meanwhile; fetch it again and retry.' },
  already_exists: { status: 409, ja: '既に登録されています。', en: 'It already exists.' },
  export_not_pending: {
    status: 409,
    ja: 'この一括出力は承認待ちではありません（承認・却下済みです）。',
    en: 'This bulk export is not waiting for a decision (it was already approved or rejected).',
  },
  export_not_approved: { status: 409, ja: 'この一括出力は承認されていません。', en: 'This bulk export has not been approved.' },
  export_expired: {
    status: 410,
    ja: 'この一括出力は期限切れです。ファイルは削除されました。必要なら改めて申請してください。',
    en: 'This bulk export has expired and its file was deleted; request a new one if needed.',
  },
  export_download_limit: {
    status: 410,
    ja: 'この一括出力ファイルはダウンロード回数の上限に達しました。',
    en: 'This bulk export file has been downloaded as many times as allowed.',
  },
  municipality_not_placed: {
    status: 409,
    ja: 'この団体のデータ配置先（セル）が未設定です。',
    en: 'This municipality has not been placed on a cell yet.',
  },
  oscal_invalid: {
    status: 422,
    ja: 'OSCAL の文書として正しくありません。指摘されたすべての箇所（JSON Pointer）を直してください。何も保存されていません。',
    en: 'This is not a valid OSCAL document: correct every place named (JSON pointers). Nothing was stored.',
  },
  unknown_requirement_ids: {
    status: 422,
    ja: '要件の一覧にない要件IDが含まれています。指摘された箇所を直してください。何も保存されていません。',
    en: 'The document names requirement ids that are not in the catalog: see each place named. Nothing was stored.',
  },
  component_definition_refused: {
    status: 422,
    ja: 'コンポーネント定義を受け付けられません。指摘されたすべての箇所（JSON Pointer）を直してください（要件・サービス・継承元の登録）。何も保存されていません。',
    en: 'The component definition was refused: correct every place named (JSON pointers: requirements, services, partners and their registrations). Nothing was stored.',
  },
  assessment_results_refused: {
    status: 422,
    ja: '評価結果（OSCAL）から判定を読み取れません。指摘されたすべての箇所（JSON Pointer）を直してください。何も保存されていません。',
    en: 'No findings could be read from the assessment results: correct every place named (JSON pointers). Nothing was stored.',
  },
  placement_refused: {
    status: 422,
    ja: 'この団体のデータをこのセルには配置できません。セルは、データ区分について認定され ISMAP 登録が有効な国内のプロバイダ・リージョン上にある必要があります（理由は errors を参照）。',
    en: "The municipality cannot be placed on this cell: it must run on a provider and region in Japan, registered and certified for the municipality's class of data (see errors for each reason).",
  },
  cell_location_undeclared: {
    status: 409,
    ja: 'この団体のセルの所在（プロバイダ・サービス・リージョン）が宣言されていないため、システムセキュリティ計画を作れません。先にセルの所在を宣言してください。',
    en: "The municipality's cell has no declared location (provider, service and region), so there is no system security plan to give: declare the cell's location first.",
  },
  no_placement_alerts: {
    status: 404,
    ja: 'この日・この期間にこの団体の配置に関するアラートはありません。行動計画（POA&M）として出力するものはありません。',
    en: 'There is no placement alert for this municipality on the day and within the days given: there is no plan of action and milestones to give.',
  },
  registration_refused: {
    status: 422,
    ja: 'ISMAP 登録の内容が認められません。指摘された項目を確認してください（何も変更されていません）。',
    en: 'The registration was refused: see the fields named (nothing was changed).',
  },
  joint_proposal_refused: {
    status: 422,
    ja: '共同提案を登録できません。代表事業者以外のサービスを含み、すべてのサービスが有効な ISMAP 登録を持つ必要があります（何も登録されていません）。',
    en: 'The joint proposal was refused: it needs a partner service, and every service must hold a registration in force (nothing was stored).',
  },
  body_too_large: { status: 413, ja: 'リクエストが大きすぎます。', en: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    ja: 'application/json で送信してください。',
    en: 'Send the body as application/json.',
  },
  encrypted_data_invalid: {
    status: 500,
    ja: '暗号化されたデータを復号できません（改ざん・破損、または別の場所のデータです）。',
    en: 'Encrypted data could not be decrypted (altered, damaged, or copied from elsewhere).',
  },
  key_version_unknown: { status: 500, ja: '暗号化データの鍵バージョンが不明です。', en: 'The encrypted data names an unknown key version.' },
  keys_destroyed: {
    status: 410,
    ja: 'この団体の暗号鍵は廃棄されています。データは復号できません。',
    en: "This municipality's keys have been destroyed; its data cannot be decrypted.",
  },
  kms_unavailable: { status: 503, ja: '鍵管理サービス（HSM）を利用できません。', en: 'The key management service (HSM) is unavailable.' },
  key_integrity: { status: 500, ja: '暗号鍵の管理情報に不整合があります。', en: 'The key metadata is inconsistent.' },
  filing_rejected: {
    status: 422,
    ja: '届出・記録の内容が住民基本台帳の記録と整合しません。',
    en: 'The filing contradicts the resident register.',
  },
  support_measure_restricted: {
    status: 403,
    ja: '支援措置の対象者の記録です。権限のある職員が理由を示した場合に限り閲覧・証明できます。',
    en: 'This record is under a support measure: only authorized staff giving a reason may see or certify it.',
  },
  certificate_issuer_missing: {
    status: 409,
    ja: '証明書に記載する発行者（市区町村長の職名・氏名）が設定されていません。団体管理者が設定してください。',
    en: "The certificate issuer (the mayor's title and name) has not been set; the municipality's admin must set it first.",
  },
  certificate_refused: {
    status: 422,
    ja: 'この内容の証明書は発行できません。',
    en: 'A certificate with this content cannot be issued.',
  },
  item_not_permitted: {
    status: 422,
    ja: '請求者の資格では記載できない事項が指定されています。',
    en: "An item was asked for that may not be printed for this requester's standing.",
  },
  certificate_unprintable: {
    status: 422,
    ja: '証明書に印字できない文字、または欄に収まらない記載があります。',
    en: 'The record holds a character the certificate font cannot print, or text too long for its field.',
  },
  certificate_already_issued: {
    status: 409,
    ja: 'この証明書は既に交付されています。再交付するには、交付済みの証明書を先に無効にしてください。',
    en: 'This certificate has already been issued; revoke the earlier print before issuing it again.',
  },
  certificate_revoked: { status: 409, ja: 'この証明書は既に無効にされています。', en: 'This certificate has already been revoked.' },
  subscription_rejected: {
    status: 422,
    ja: '連携の購読内容が認められません。業務・利用目的・項目を確認してください。',
    en: 'The subscription is not allowed: check its operation, purpose and fields.',
  },
  nhi_subscription_unfit: {
    status: 422,
    ja: 'この連携の購読は国民健康保険の資格管理に使えません。業務・利用目的（nhi_eligibility）・配信方法・項目・イベントを確認してください。',
    en: 'This subscription cannot feed National Health Insurance: check its operation, purpose (nhi_eligibility), delivery, fields and topics.',
  },
  nhi_premium_rates_invalid: {
    status: 422,
    ja: '国民健康保険料の料率表を登録できません。指摘された料率を直してください（何も登録されていません）。',
    en: 'The NHI rate table was refused: correct the entries named (nothing was stored).',
  },
  nhi_premium_rates_missing: {
    status: 422,
    ja: 'この年度の国民健康保険料の料率が設定されていません。団体管理者が料率表を設定してください。',
    en: 'No NHI premium rates are set for this fiscal year: the municipal administrator sets the rate table.',
  },
  nhi_premium_household_incomplete: {
    status: 422,
    ja: '保険料の計算に必要な世帯の情報（世帯主・生年月日）が国民健康保険に届いていません。住民記録からの連携を確認してください。',
    en: "NHI lacks what this household's premium needs (its head, a date of birth): check the linkage from the resident register.",
  },
  nhi_premium_unassessable: {
    status: 422,
    ja: 'この世帯の国民健康保険料を計算できません。指摘された項目を確認してください。',
    en: "This household's NHI premium cannot be computed: see the fields named.",
  },
  child_allowance_subscription_unfit: {
    status: 422,
    ja: 'この連携の購読は児童手当に使えません。業務・利用目的（child_allowance_eligibility）・配信方法・項目・イベントを確認してください。',
    en: 'This subscription cannot feed child allowance: check its operation, purpose (child_allowance_eligibility), delivery, fields and topics.',
  },
  child_allowance_claim_rejected: {
    status: 422,
    ja: '児童手当の認定請求を受け付けられません。請求者・請求日・児童を確認してください。',
    en: 'The child allowance claim cannot be recorded: check the claimant, the claim date and the children.',
  },
  residential_tax_subscription_unfit: {
    status: 422,
    ja: 'この連携の購読は個人住民税に使えません。業務・利用目的（tax_assessment）・配信方法・項目・イベントを確認してください。',
    en: 'This subscription cannot feed the residential tax: check its operation, purpose (tax_assessment), delivery, fields and topics.',
  },
  residential_tax_income_rejected: {
    status: 422,
    ja: '所得資料を登録できません。指摘された資料を直してください（一括登録のどれも登録されていません）。',
    en: 'The income records were refused: correct the items named (none of the batch was stored).',
  },
  subscription_revoked: { status: 410, ja: 'この連携の購読は取り消されています。', en: 'This subscription has been revoked.' },
  subscription_not_webhook: {
    status: 409,
    ja: 'この連携の購読はプル型（フィードの取得）で、Webhook の署名鍵がありません。',
    en: 'This subscription is delivered by pull (its feed is read): it has no webhook signing secret.',
  },
  daily_file_unavailable: {
    status: 404,
    ja: 'この日の連携ファイルはありません。日の締め（日本時間の午前0時過ぎ）がまだか、ファイルの提供開始前の日です。',
    en: "There is no linkage file for this day: the day has not been closed yet (just after midnight, Japan time), or it is before the first day with a file.",
  },
  history_inconsistent: {
    status: 500,
    ja: '異動履歴に不整合があります。管理者に連絡してください。',
    en: 'The change history is inconsistent; contact the administrator.',
  },
  internal_error: { status: 500, ja: 'サーバー内部でエラーが発生しました。', en: 'An internal error occurred.' },
  audit_unavailable: {
    status: 503,
    ja: '監査ログに記録できないため、処理を行いませんでした。しばらくしてからやり直してください。',
    en: 'The audit log could not record this request, so it was not carried out; try again later.',
  },
  service_unavailable: { status: 503, ja: '現在サービスを利用できません。', en: 'The service is unavailable.' },
} as const satisfies Record<string, Message & { status: number }>;

export type ProblemCode = keyof typeof PROBLEMS;

export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly fields: readonly FieldError[] = [],
    /** A sentence of detail in both languages; never contains request values. */
    readonly detail?: Message,
    /** Response headers that go with it, such as Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(PROBLEMS[code].en);
    this.status = PROBLEMS[code].status;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  message: Message;
  errors?: FieldError[];
  requestId?: string;
}

export function problemBody(problem: Problem, requestId?: string): ProblemBody {
  const entry = PROBLEMS[problem.code];
  const message = problem.detail ?? { ja: entry.ja, en: entry.en };
  return {
    type: `urn:municloud:problem:${problem.code}`,
    title: entry.en,
    status: entry.status,
    code: problem.code,
    detail: message.en,
    message,
    ...(problem.fields.length > 0 ? { errors: [...problem.fields] } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function fieldError(field: string, rule: string, message: Message): FieldError {
  return { field, rule, message };
}
