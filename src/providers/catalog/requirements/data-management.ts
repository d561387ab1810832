/**
 * Data management requirements (データ管理): where data lives, how it is
 * classified, backed up, retained, exported, imported and deleted, and how it
 * may be used and shared. Portability and data in Japan are two of the
 * Government Cloud's founding aims; most of these requirements serve them.
 */
import type { RequirementDraft } from '../requirements.js';

const ALL = ['my_number', 'personal', 'general'] as const;
const PERSONAL = ['my_number', 'personal'] as const;
const MY_NUMBER = ['my_number'] as const;

export const DATA_MANAGEMENT: readonly RequirementDraft[] = [
  {
    id: 'dat-01',
    title: { en: 'Data stored only in Japan', ja: '国内データセンターでの保存' },
    statement: {
      en: 'Customer data and its replicas and backups are stored only in data centers located in Japan.',
      ja: '利用者データ並びにそのレプリカ及びバックアップは、日本国内に所在するデータセンターにのみ保存すること。',
    },
    rationale:
      'Data in Japan under Japanese jurisdiction is a published aim of the Government Cloud and a Digital Agency requirement for its providers; 81% of people surveyed want a domestic cloud.',
    assessment: {
      method: 'test',
      text: 'Examine the storage locations of every cell, replica and backup of the municipality, including object-storage buckets and snapshots; met when each is in a region located in Japan.',
      automated: 'data-in-japan',
    },
    dataClasses: ALL,
  },
  {
    id: 'dat-02',
    title: { en: 'Data processed only in Japan', ja: '国内での処理' },
    statement: {
      en: 'Customer data is processed only on systems in Japan, and the provider’s staff outside Japan have no access to it, support and troubleshooting included.',
      ja: '利用者データの処理は国内のシステムでのみ行い、保守・障害対応を含め、国外にいる事業者の職員がこれにアクセスできないようにすること。',
    },
    rationale:
      'Storage in Japan (dat-01) is undone if the data is processed or viewed from abroad; Japanese jurisdiction over the data is an aim of the Government Cloud.',
    assessment: { method: 'examine', text: 'Examine the processing locations in the architecture, the support model and the access logs for sources outside Japan.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-03',
    title: { en: 'Inventory of each tenant’s data', ja: '団体ごとのデータ所在の一覧' },
    statement: {
      en: 'The provider can list, for each municipality on request, every place its data is held: database and region, replicas, backups, export files and logs.',
      ja: '事業者は、団体の求めに応じ、当該団体のデータが保持されているすべての場所（データベース及びリージョン、レプリカ、バックアップ、出力ファイル並びにログ）を一覧で示せること。',
    },
    rationale:
      'ISMAP control standard 8.1.1 (inventory of assets; ISO/IEC 27017 8.1.1 extends it to customer data in the cloud); what cannot be located cannot be exported or deleted.',
    assessment: { method: 'examine', text: 'Request the inventory for one municipality and check a sample of its entries against the systems.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-04',
    title: { en: 'Data classified and handled by class', ja: 'データの分類と分類に応じた取扱い' },
    statement: {
      en: 'Every dataset of the service is labelled with its data class (My Number, other personal data, no personal data), and the controls applied to it follow its class.',
      ja: '本サービスのすべてのデータセットにデータ分類（個人番号を含む、その他の個人データを含む、個人データを含まない）を付し、分類に応じた管理策を適用すること。',
    },
    rationale: 'ISMAP control standard 8.2 (information classification; ISO/IEC 27002:2013 8.2.1-8.2.3); the profiles of this catalog are per data class.',
    assessment: { method: 'examine', text: 'Examine the data register for a class per dataset and sample whether the class’s profile is applied.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-05',
    title: { en: 'Each municipality’s data handled on its own', ja: '団体単位でのデータ操作' },
    statement: {
      en: 'Each municipality’s data can be backed up, restored, exported, moved and deleted on its own, without touching or stopping other municipalities’ data.',
      ja: '各団体のデータは、他団体のデータに影響を与えたり他団体の業務を停止させたりすることなく、団体単位でバックアップ、復元、出力、移動及び削除ができること。',
    },
    rationale:
      'Shared infrastructure serves the Government Cloud’s cost aim only if each tenant keeps its own control of its data (public SaaS guideline); ISO/IEC 27017 CLD.9.5.1.',
    assessment: { method: 'test', text: 'Restore one test municipality to an earlier point in a test environment shared with others; met when the others’ data is unchanged.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-06',
    title: { en: 'Backups in a second region in Japan', ja: '国内の別リージョンへのバックアップ' },
    statement: {
      en: 'Customer data is backed up at least daily with continuous logs for point-in-time recovery, and the backups are kept encrypted in a second region in Japan far enough away that one earthquake or flood cannot destroy both.',
      ja: '利用者データは少なくとも日次でバックアップし、任意時点への復旧のためのログを継続的に取得するとともに、一度の地震や水害で双方が失われない程度に離れた国内の別リージョンに暗号化して保管すること。',
    },
    rationale:
      'ISMAP control standard 12.3.1 (information backup) and 17.2 (redundancies); the 2011 tsunami destroyed town halls’ servers together with the backups kept beside them.',
    assessment: { method: 'examine', text: 'Examine the backup configuration, the regions used and the last 30 days of backup results.', automated: 'data-in-japan' },
    dataClasses: ALL,
  },
  {
    id: 'dat-07',
    title: { en: 'Backups immutable and separately controlled', ja: 'バックアップの改変防止と権限分離' },
    statement: {
      en: 'Backups cannot be altered or deleted before their retention period ends, not even by the service’s administrators, and the credentials that manage them are separate from those that run the service.',
      ja: 'バックアップは保存期間が満了するまで、本サービスの管理者であっても改変又は削除できないようにし、その管理に用いる認証情報を本サービスの運用に用いるものと分離すること。',
    },
    rationale: 'Ransomware aims at backups first; ISMAP control standard 12.3.1 (information backup) and 9.2.3 (privileged access rights).',
    assessment: { method: 'test', text: 'With the service’s administrator credentials, try to delete or overwrite a backup inside its retention period; met when refused.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-08',
    title: { en: 'Restores tested quarterly', ja: '四半期ごとの復元試験' },
    statement: {
      en: 'A restore of a complete municipality from backup is tested at least every three months, and the time taken and data recovered are recorded against the recovery objectives.',
      ja: '少なくとも3か月ごとに、一団体分のデータ全体をバックアップから復元する試験を行い、所要時間及び復旧したデータを復旧目標と対比して記録すること。',
    },
    rationale: 'ISMAP control standard 12.3.1 requires backups to be tested; an untested backup is a hope, not a control.',
    assessment: { method: 'examine', text: 'Examine the last four restore test records; met when each is within three months of the previous and meets the recovery objectives of ops-10.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-09',
    title: { en: 'Retention periods applied', ja: '保存期間の適用' },
    statement: {
      en: 'Personal data is kept for the periods the municipality’s rules and the applicable laws set for each kind of record, and is deleted or made unreadable when its period ends.',
      ja: '個人データは、記録の種類ごとに団体の規程及び関係法令が定める期間保存し、期間満了時に削除し又は読み取れない状態にすること。',
    },
    rationale:
      'The Act on the Protection of Personal Information (Art. 61, 65) limits holding to what the purpose needs and requires accuracy; the Basic Resident Register Act sets periods for removed records, and ISMAP control standard 18.1.3 (protection of records).',
    assessment: { method: 'test', text: 'Examine the retention schedule and find records past their period in a sample; met when none remains readable.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-10',
    title: { en: 'Deletion with a certificate', ja: '削除の実施と証明' },
    statement: {
      en: 'When the customer asks for deletion, or the exit period ends, the provider deletes the customer’s data from active systems within 30 days, lets backups expire within their published retention, and issues a certificate of deletion.',
      ja: '利用者から削除の求めがあった場合又は退出期間が満了した場合、事業者は30日以内に稼働中のシステムから利用者データを削除し、バックアップを公表した保存期間内に失効させ、削除証明書を発行すること。',
    },
    rationale: 'ISO/IEC 27017 CLD.8.1.5 (removal of cloud service customer assets) and ISMAP control standard 8.3.2 (disposal of media).',
    assessment: { method: 'examine', text: 'Examine the deletion procedure and the certificate issued for the last departing customer or a test tenant.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-11',
    title: { en: 'Crypto-shredding', ja: '暗号鍵の消去によるデータ消去' },
    statement: {
      en: 'Destroying a municipality’s key-encryption keys makes all of its data, in every copy and backup, unreadable, and the provider can do this on request within one business day.',
      ja: '団体の鍵暗号化鍵を破棄することにより、すべての複製及びバックアップを含む当該団体のデータが読み取れなくなるようにし、事業者は求めから1営業日以内にこれを実施できること。',
    },
    rationale:
      'Backups and replicas cannot always be erased at once; destroying the keys is how deletion reaches them (ISO/IEC 27017 CLD.8.1.5, ISMAP control standard 10.1.2 on key destruction).',
    assessment: { method: 'test', text: 'Shred a test municipality’s keys, then try to read its records and a backup taken before; met when neither decrypts.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-12',
    title: { en: 'Full export in open formats', ja: 'オープンな形式での全データ出力' },
    statement: {
      en: 'The provider exports all of a customer’s data and configuration in documented open formats (CSV or JSON following the standard data specifications where they exist) within 30 days of a request, at no more than the published price.',
      ja: '事業者は、利用者の求めから30日以内に、当該利用者のすべてのデータ及び設定を文書化されたオープンな形式（標準のデータ仕様がある場合はそれに従ったCSV又はJSON）で、公表した価格以下で出力すること。',
    },
    rationale:
      'Portability and lock-in avoidance are founding aims of the Government Cloud; the public SaaS guideline requires that data can be migrated out. ISO/IEC 27017 CLD.8.1.5.',
    assessment: { method: 'test', text: 'Request a full export for a test municipality and load it into an independent tool; met when every record and setting is present, the formats match their documentation, and it arrived within 30 days.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-13',
    title: { en: 'Import in the standard formats', ja: '標準形式でのデータ取込み' },
    statement: {
      en: 'The service imports a municipality’s data in the standard data formats, with a report of every record refused and why, so that a municipality can migrate in as easily as out.',
      ja: '本サービスは、標準のデータ形式による団体のデータを取り込み、取り込めなかったすべての記録とその理由を報告することにより、移出と同様に容易に移入できるようにすること。',
    },
    rationale: 'The public SaaS guideline requires migration in as well as out; lock-in avoidance works only if the way in is as open as the way out.',
    assessment: { method: 'test', text: 'Import a test data set in the standard format, with deliberate errors; met when valid records are loaded and each error is reported with its record and reason.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-14',
    title: { en: 'Audit records exported with the data', ja: '監査記録のデータとの一括出力' },
    statement: {
      en: 'A customer’s export includes its audit records and the means to verify them, so that its history of accesses remains provable after it leaves.',
      ja: '利用者のデータ出力には、当該利用者の監査記録とその検証手段を含め、退出後もアクセスの履歴を証明できるようにすること。',
    },
    rationale: 'Access records must outlive the provider relationship (sec-21); ISMAP control standard 12.4.2 (protection of log information) and 18.1.3 (protection of records).',
    assessment: { method: 'test', text: 'Verify the audit records of an export offline with the supplied public key and tool.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-15',
    title: { en: 'Data formats documented and published', ja: 'データ形式の文書化と公開' },
    statement: {
      en: 'Every interface and export format of the service is described in a machine-readable schema (such as OpenAPI or JSON Schema) that is published and versioned.',
      ja: '本サービスのすべてのインターフェース及び出力形式を機械可読なスキーマ（OpenAPI、JSON Schema等）で記述し、版を付けて公開すること。',
    },
    rationale: 'A successor provider or another municipality’s system can read what is documented; undocumented formats are lock-in by other means, which the Government Cloud aims to end (public SaaS guideline: data can be migrated in and out).',
    assessment: { method: 'examine', text: 'Examine the published schemas and compare a sample of actual responses and export files against them.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-16',
    title: { en: 'Integrity of stored data and backups', ja: '保存データ及びバックアップの完全性' },
    statement: {
      en: 'Stored data and backups carry checksums or authentication tags that are verified on read and on restore, so that corruption or tampering is detected rather than restored.',
      ja: '保存データ及びバックアップにはチェックサム又は認証タグを付し、読出し及び復元の際に検証することにより、破損や改ざんを、復元してしまう前に検知すること。',
    },
    rationale: 'ISMAP control standard 12.3.1 (information backup) and 10.1.1; authenticated encryption (sec-04) gives this for sealed fields.',
    assessment: { method: 'test', text: 'Corrupt a byte of a backup copy in a test environment and restore it; met when the restore fails with a clear error.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-17',
    title: { en: 'No production personal data in development or testing', ja: '開発・試験での本番個人データの使用禁止' },
    statement: {
      en: 'Development, testing and training use synthetic or irreversibly anonymized data; production personal data is never copied outside the production environment for these purposes.',
      ja: '開発、試験及び研修には合成データ又は不可逆的に匿名化したデータを用い、これらの目的で本番の個人データを本番環境の外に複製しないこと。',
    },
    rationale: 'ISMAP control standard 14.3.1 (protection of test data); in the 2015 pension leak, what the attackers took was personal data copied out of the core system into shared folders.',
    assessment: { method: 'examine', text: 'Examine the test-data procedure and scan the non-production environments for real identifiers.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-18',
    title: { en: 'Only the data the work needs', ja: '業務に必要なデータに限った保持' },
    statement: {
      en: 'The service collects and keeps only the personal data items that the standard specifications or a law require for the operation, and each item’s legal basis is documented.',
      ja: '本サービスは、標準仕様又は法令が当該事務に求める個人データの項目のみを収集・保持し、各項目の法的根拠を文書化すること。',
    },
    rationale: 'The Act on the Protection of Personal Information (Art. 61) allows a public body to hold personal information only as far as its legal duties require.',
    assessment: { method: 'examine', text: 'Examine the data dictionary for a legal basis per item and compare it with the stored fields.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-19',
    title: { en: 'Purpose declared for every use of My Number', ja: '個人番号の利用目的の宣言' },
    statement: {
      en: 'Every request that reads or changes My Number declares a purpose among those the My Number Act and the municipality’s ordinances allow for that operation; other requests are refused, and the purpose is recorded with the access.',
      ja: '個人番号を閲覧又は変更するすべての要求において、番号法及び団体の条例が当該事務に認める利用目的のいずれかを宣言させ、それ以外の要求は拒否し、宣言された目的をアクセスとともに記録すること。',
    },
    rationale: 'My Number Act Art. 9 and its annexed table limit the use of My Number to listed work; binding each access to its purpose makes that limit enforceable and auditable.',
    assessment: { method: 'test', text: 'Call a My Number route with no purpose, with a purpose of another operation and with an allowed one; met when only the last is served and the audit entry carries it.' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'dat-20',
    title: { en: 'My Number sealed and never a key', ja: '個人番号の暗号化とキーとしての使用禁止' },
    statement: {
      en: 'My Number is stored only encrypted, is searched only through a keyed blind index, and is never used as a database key, file name or identifier in another system.',
      ja: '個人番号は暗号化してのみ保存し、検索は鍵付きのブラインドインデックスによってのみ行い、データベースのキー、ファイル名又は他システムの識別子として使用しないこと。',
    },
    rationale:
      'The My Number Act restricts the collection and keeping of My Number (Art. 20) and the PPC guidelines’ technical measures; a number used as a key spreads to every table, log and export that carries the key.',
    assessment: { method: 'test', text: 'Examine the schema and query the tables directly for 12-digit values; met when My Number appears nowhere in plaintext and no key or index column holds it.', automated: 'records-encrypted' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'dat-21',
    title: { en: 'Pseudonymized data for statistics', ja: '統計目的のデータの仮名化' },
    statement: {
      en: 'Data extracted for statistics or analysis is pseudonymized or aggregated so that no resident can be identified from it without information kept separately by the municipality.',
      ja: '統計又は分析のために抽出するデータは、団体が別に管理する情報なしには住民を識別できないよう仮名化又は集計すること。',
    },
    rationale: 'The Act on the Protection of Personal Information provides for pseudonymized and anonymized processing by public bodies; ISMAP control standard 18.1.4.',
    assessment: { method: 'examine', text: 'Examine the statistics extracts and their production procedure for direct identifiers.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-22',
    title: { en: 'Telemetry holds no customer content', ja: 'テレメトリへの利用者データの不記録' },
    statement: {
      en: 'The metrics, traces and usage data the provider collects from the service contain no customer content, and the provider uses them only to run, secure and bill the service.',
      ja: '事業者が本サービスから収集するメトリクス、トレース及び利用状況データには利用者のデータ内容を含めず、事業者はこれらを本サービスの運用、保護及び課金のためにのみ利用すること。',
    },
    rationale: 'Provider-side telemetry escapes the customer’s keys and controls; ISO/IEC 27017 CLD.12.4.5 and ISMAP control standard 18.1.4.',
    assessment: { method: 'examine', text: 'Examine the telemetry schema and a sample of collected data.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-23',
    title: { en: 'Sharing between operations only through declared links', ja: '宣言された連携に限った事務間のデータ提供' },
    statement: {
      en: 'Personal data passes from one operation to another only through linkages declared with their legal purpose and the fields that purpose may receive, and every delivery is recorded.',
      ja: '個人データを事務間で受け渡すのは、法的な目的及び当該目的が受け取ることのできる項目を宣言した連携を通じた場合に限り、すべての提供を記録すること。',
    },
    rationale: 'The Act on the Protection of Personal Information (Art. 69) limits use and provision within a public body to stated purposes; the My Number Act lists which work may receive specific personal information.',
    assessment: { method: 'test', text: 'Subscribe an operation to a linkage and check that it receives only the fields its purpose allows and that each delivery is in the audit log.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-24',
    title: { en: 'Sharing between municipalities recorded', ja: '団体間のデータ提供の記録' },
    statement: {
      en: 'Personal data passes from one municipality to another only where a law provides for it (such as a move-in notice), through the service’s exchange, and each transfer is recorded for both.',
      ja: '個人データを団体間で受け渡すのは、転入通知等の法令に定めがある場合に限り、本サービスの交換機能を通じて行い、各提供を双方の記録に残すこと。',
    },
    rationale: 'Tenant isolation (sec-08) must not be bypassed by ad-hoc transfers; the Basic Resident Register Act defines the notices that pass between municipalities.',
    assessment: { method: 'test', text: 'Carry out a move between two test municipalities and examine both audit logs; attempt a transfer with no legal basis and confirm it is refused.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-25',
    title: { en: 'Exports encrypted for the requester', ja: '出力ファイルの申請者向け暗号化' },
    statement: {
      en: 'Files of personal data leaving the service are encrypted with a key that only the authorized requester holds, and expire from the service after a short period.',
      ja: '本サービスから持ち出される個人データのファイルは、権限を持つ申請者のみが保持する鍵で暗号化し、短期間で本サービスから失効させること。',
    },
    rationale: 'ISMAP control standard 13.2.1 (information transfer policies) and 8.3.3 (physical media in transit); an export is the easiest copy to lose.',
    assessment: { method: 'test', text: 'Export a file and try to open it with another key and after its expiry.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-26',
    title: { en: 'Validation on input', ja: '入力時の検証' },
    statement: {
      en: 'Data entering the service is validated against the standard specifications (codes, check digits, dates, required items), and refused with a reason per field rather than stored wrong.',
      ja: '本サービスに入力されるデータは標準仕様（コード、検査数字、日付、必須項目）に照らして検証し、誤ったまま保存することなく、項目ごとに理由を示して受付を拒否すること。',
    },
    rationale: 'The Act on the Protection of Personal Information (Art. 65) requires public bodies to keep personal information accurate; ISMAP control standard 14.1.2 and 12.2.',
    assessment: { method: 'test', text: 'Submit records with a wrong check digit, an unknown code and a missing item; met when each is refused with a field-level reason.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-27',
    title: { en: 'History kept, not overwritten', ja: '履歴の保持' },
    statement: {
      en: 'Changes to residents’ records are kept as a dated history, so that the record as of any past date can be produced and every correction shows what it replaced.',
      ja: '住民の記録の変更は日付付きの履歴として保持し、過去の任意の日付時点の記録を再現でき、訂正ごとに訂正前の内容が分かるようにすること。',
    },
    rationale:
      'Certificates and benefits are decided as of past dates, and residents may ask what was recorded about them (Act on the Protection of Personal Information, disclosure and correction); ISMAP control standard 18.1.3 (protection of records).',
    assessment: { method: 'test', text: 'Change a test resident’s record twice and request the record as of a date before each change.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'dat-28',
    title: { en: 'Archives readable without the service', ja: 'サービスに依存しないアーカイブ' },
    statement: {
      en: 'Records kept long-term are archived in open formats with their schema and, where encrypted, with a documented way to decrypt them that does not need the service.',
      ja: '長期保存する記録は、そのスキーマとともにオープンな形式でアーカイブし、暗号化する場合は本サービスを要しない文書化された復号手段を備えること。',
    },
    rationale: 'Public records outlive contracts and providers; ISMAP control standard 18.1.3 (protection of records), and the Government Cloud’s lock-in avoidance applies to archives as much as to live data.',
    assessment: { method: 'test', text: 'Read a sample archive with independent tools following only its documentation.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-29',
    title: { en: 'Moves of data only with consent', ja: '同意に基づく保存場所の変更' },
    statement: {
      en: 'The provider moves a municipality’s data to another region or database only with the municipality’s consent, except in a declared emergency, and records every move.',
      ja: '事業者は、宣言された緊急時を除き、団体の同意を得た場合に限り当該団体のデータを他のリージョン又はデータベースに移動し、すべての移動を記録すること。',
    },
    rationale: 'A municipality must know where its data is (dat-03) to meet its duties; the Government Cloud’s data-in-Japan aim applies to every move.',
    assessment: { method: 'examine', text: 'Examine the placement records of a municipality against its consents.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-30',
    title: { en: 'Schema changes by versioned migration', ja: '版管理されたマイグレーションによるスキーマ変更' },
    statement: {
      en: 'Changes to the structure of stored data are made only by versioned, reviewed migrations that are recorded when applied and refused if altered afterwards.',
      ja: '保存データの構造の変更は、版管理されレビューを経たマイグレーションによってのみ行い、適用時に記録し、適用後に改変されたものは適用を拒否すること。',
    },
    rationale: 'ISMAP control standard 12.1.2 (change management) and 14.2.2 (system change control procedures).',
    assessment: { method: 'examine', text: 'Compare the applied-migration records of a database with the reviewed migration files.' },
    dataClasses: ALL,
  },
  {
    id: 'dat-31',
    title: { en: 'Support cases kept in Japan', ja: 'サポート記録の国内保存' },
    statement: {
      en: 'Support cases, attachments and screenshots that may contain personal data are kept in Japan, visible only to the staff handling the case, and deleted when the case closes plus a published period.',
      ja: '個人データを含む可能性のあるサポート案件、添付ファイル及び画面写しは国内で保存し、案件の担当者のみが閲覧でき、案件の終了後、公表した期間の経過をもって削除すること。',
    },
    rationale: 'Support tooling is a common path of personal data out of the protected environment and out of Japan (dat-01, dat-02); ISMAP control standard 18.1.4 (privacy and protection of personally identifiable information).',
    assessment: { method: 'examine', text: 'Examine the support system’s hosting location, access rights and deletion settings.' },
    dataClasses: PERSONAL,
  },
];
