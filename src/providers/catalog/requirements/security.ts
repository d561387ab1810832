/**
 * Security requirements (セキュリティ): policy, cryptography and keys, tenant
 * isolation, access control, the My Number segment, logging and evidence,
 * vulnerability handling and physical security. "The provider" (事業者) is
 * whoever runs the assessed service: the cloud provider for its platform, the
 * operator for municloud on top of it.
 */
import type { RequirementDraft } from '../requirements.js';

const ALL = ['my_number', 'personal', 'general'] as const;
const PERSONAL = ['my_number', 'personal'] as const;
const MY_NUMBER = ['my_number'] as const;

export const SECURITY: readonly RequirementDraft[] = [
  {
    id: 'sec-01',
    title: { en: 'Security policy approved by top management', ja: '経営層が承認した情報セキュリティ方針' },
    statement: {
      en: 'The provider has an information security policy for the service that its top management has approved, that customers can read, and that is reviewed at least once a year and after every significant change.',
      ja: '事業者は、本サービスの情報セキュリティ方針を定めて経営層の承認を得、利用者が参照できるようにし、少なくとも年1回及び重要な変更の都度見直すこと。',
    },
    rationale:
      'ISMAP governance standard (top management directs and oversees information security, after ISO/IEC 27014) and control standard 5.1 (information security policies, ISO/IEC 27002:2013 5.1.1-5.1.2, which ISO/IEC 27017 extends with cloud-specific policy content).',
    assessment: {
      method: 'examine',
      text: 'Examine the policy, the record of its approval by top management, where customers can read it, and the minutes of the latest review; met when the review is less than twelve months old.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-02',
    title: { en: 'Shared responsibility documented', ja: '責任分界の明文化' },
    statement: {
      en: 'The provider documents, for every security control of the service, whether it is the provider’s, the customer’s or shared, and gives the document to the customer before the contract is signed.',
      ja: '事業者は、本サービスの各セキュリティ管理策について、事業者、利用者又は双方のいずれが責任を負うかを文書化し、契約締結前に利用者へ提示すること。',
    },
    rationale:
      'ISO/IEC 27017 CLD.6.3.1 (shared roles and responsibilities within a cloud computing environment) and ISMAP control standard 6.1 (internal organization): a control nobody owns is a control nobody operates.',
    assessment: {
      method: 'examine',
      text: 'Examine the responsibility matrix against the control list of this catalog; met when every requirement is assigned to the provider, the customer or both, and the matrix is part of the pre-contract documents.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-03',
    title: { en: 'Tenant keys in a certified HSM', ja: '認証済みHSMでのテナント鍵の保管' },
    statement: {
      en: 'Each municipality’s key-encryption keys are generated and held in a hardware security module validated to FIPS 140-2 or 140-3 level 3 (or an equivalent certification such as JCMVP), are marked non-extractable, and cannot be exported by the provider’s staff.',
      ja: '各団体の鍵暗号化鍵は、FIPS 140-2又は140-3のレベル3（又はJCMVP等の同等の認証）を受けたハードウェアセキュリティモジュール内で生成・保管し、取り出し不可の属性を付与して、事業者の職員であっても外部に出力できないようにすること。',
    },
    rationale:
      'ISMAP control standard 10.1 (cryptographic controls; key management, ISO/IEC 27002:2013 10.1.2) and ISO/IEC 27017 10.1.1/10.1.2 on cloud key management: keys that the provider cannot take out keep the municipality, not the provider, in control of its data.',
    assessment: {
      method: 'test',
      text: 'Examine the HSM’s validation certificate and test that reading the key value, wrapping the key out under another key, and switching its protection attributes off are each refused.',
      automated: 'keys-in-hsm',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-04',
    title: { en: 'Encryption at rest, backups included', ja: '保存データの暗号化（バックアップを含む）' },
    statement: {
      en: 'All customer data, including replicas, backups and temporary files, is encrypted at rest with AES-256 or a cipher of equal strength under keys of the municipality’s own key hierarchy.',
      ja: 'レプリカ、バックアップ及び一時ファイルを含むすべての利用者データを、当該団体の鍵階層に属する鍵によりAES-256又は同等以上の強度の暗号で暗号化して保存すること。',
    },
    rationale:
      'ISMAP control standard 10.1.1 (policy on the use of cryptographic controls) and ISO/IEC 27017 10.1.1: encryption under per-municipality keys limits what a stolen disk, a misplaced backup or another tenant can read.',
    assessment: {
      method: 'test',
      text: 'Read stored records, a replica and a backup directly from storage and confirm that personal-data fields are ciphertext bound to the municipality’s key version.',
      automated: 'records-encrypted',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-05',
    title: { en: 'Encryption in transit', ja: '通信の暗号化' },
    statement: {
      en: 'Every connection that carries customer data or credentials, internal ones between services included, uses TLS 1.2 or later (TLS 1.3 where both ends support it) with certificate verification; plaintext protocols are refused.',
      ja: '利用者データ又は認証情報を送受信するすべての通信（サービス間の内部通信を含む）は、証明書を検証したうえでTLS 1.2以上（双方が対応する場合はTLS 1.3）を用い、平文のプロトコルは受け付けないこと。',
    },
    rationale:
      'ISMAP control standard 13.2 (information transfer) and 10.1 (cryptographic controls), after ISO/IEC 27002:2013 13.2.3 and 10.1.1; the government’s unified cybersecurity standards require protecting information in transit on any network the agency does not control.',
    assessment: {
      method: 'test',
      text: 'Scan the public and internal endpoints; met when none accepts a plaintext connection or a protocol version below TLS 1.2, and internal clients fail against an untrusted certificate.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-06',
    title: { en: 'Algorithms from the CRYPTREC list', ja: 'CRYPTREC暗号リストに基づく暗号の選定' },
    statement: {
      en: 'The cryptographic algorithms used to protect customer data, keys and evidence are those on the CRYPTREC list of ciphers recommended for e-government, and the provider keeps a list of where each is used so it can replace one that is deprecated.',
      ja: '利用者データ、鍵及び証跡の保護に用いる暗号アルゴリズムは電子政府推奨暗号リスト（CRYPTREC暗号リスト）に掲載されたものとし、危殆化時に置き換えられるよう、各アルゴリズムの使用箇所を一覧で管理すること。',
    },
    rationale:
      'The government’s unified cybersecurity standards direct agencies to the CRYPTREC list; ISMAP control standard 10.1.1 requires a policy on the use of cryptography, and an inventory is what makes a migration off a broken algorithm possible.',
    assessment: {
      method: 'examine',
      text: 'Examine the cryptographic inventory against the current CRYPTREC list and sample its entries against configuration; met when every algorithm in use is listed and none is outside the list.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-07',
    title: { en: 'Key rotation', ja: '鍵の更新' },
    statement: {
      en: 'Data-encryption keys are rotated at least once a year and at once when a compromise is suspected; data sealed under a retired key is re-encrypted under the current one, and every rotation is recorded in the audit log.',
      ja: 'データ暗号化鍵は少なくとも年1回、及び漏えいが疑われる場合は直ちに更新し、旧鍵で暗号化されたデータを現行の鍵で再暗号化するとともに、更新の都度監査ログに記録すること。',
    },
    rationale:
      'ISO/IEC 27002:2013 10.1.2 (key management: key life cycle, changing keys) as adopted by ISMAP control standard 10.1.2; rotation bounds the data exposed by any one key.',
    assessment: {
      method: 'examine',
      text: 'Examine the key registry for each municipality and the audit entries of rotations; met when no active data key is older than twelve months and no record remains sealed under a retired key beyond the re-encryption window.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-08',
    title: { en: 'Tenant isolation enforced by the database', ja: 'データベースによるテナント分離' },
    statement: {
      en: 'Each municipality’s data is separated from every other municipality’s by the database itself (row-level security keyed on the municipality, or a separate database), the application never connects as a role that owns tables or bypasses that separation, and the separation is tested with every release.',
      ja: '各団体のデータは、データベース自体の機能（団体をキーとする行レベルセキュリティ又はデータベースの分離）により他団体のデータから分離し、アプリケーションはテーブルを所有するロールや分離を迂回できるロールで接続しないこと。また、リリースの都度その分離を試験すること。',
    },
    rationale:
      'ISO/IEC 27017 CLD.9.5.1 (segregation in virtual computing environments) and ISMAP control standard 9.4 (system and application access control): isolation that lives only in application code fails open with the first query that forgets its filter.',
    assessment: {
      method: 'test',
      text: 'Run the isolation test suite as a member of one municipality against every tenant route and query; met when no row of another municipality is returned or changed, and the application role is neither owner nor BYPASSRLS.',
      automated: 'database-isolation',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-09',
    title: { en: 'Hardened virtual machines and containers', ja: '仮想マシン・コンテナの堅牢化' },
    statement: {
      en: 'Virtual machines and container images of the service are built from a hardened baseline with unused services, ports and accounts removed, are rebuilt rather than patched in place, and run on hosts that do not share memory or processors with other customers’ workloads unless the hypervisor isolation is itself certified.',
      ja: '本サービスの仮想マシン及びコンテナイメージは、不要なサービス・ポート・アカウントを削除した堅牢化基準から構築し、稼働中の修正ではなく再構築により更新すること。また、ハイパーバイザの分離機能自体が認証を受けている場合を除き、他の利用者のワークロードとメモリやプロセッサを共有しないホスト上で稼働させること。',
    },
    rationale:
      'ISO/IEC 27017 CLD.9.5.2 (virtual machine hardening) and CLD.9.5.1 (segregation in virtual computing environments), in ISMAP’s control standard.',
    assessment: {
      method: 'examine',
      text: 'Examine the baseline, the image build pipeline and a sample of running images against it, and the host placement or hypervisor certification.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-10',
    title: { en: 'Multi-factor authentication for administration', ja: '管理者アクセスの多要素認証' },
    statement: {
      en: 'Every administrative access to the service, by the provider’s staff and by the customer’s administrators alike, requires multi-factor authentication with a factor resistant to replay.',
      ja: '事業者の職員によるものか利用者の管理者によるものかを問わず、本サービスへのすべての管理者アクセスに、リプレイ攻撃に耐性のある要素を含む多要素認証を必須とすること。',
    },
    rationale:
      'ISMAP control standard 9.4.2 (secure log-on procedures) and ISO/IEC 27017 9.2.3 and CLD.12.1.5 (administrator’s operational security): the 2023 LY leak spread from a contractor’s infected PC through an authentication system shared with an affiliate.',
    assessment: {
      method: 'test',
      text: 'Attempt administrative sign-in with a password alone, and with a replayed one-time code, for provider and customer administrator accounts; met when each attempt is refused.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-11',
    title: { en: 'Multi-factor authentication for My Number roles', ja: '個人番号を扱う役割の多要素認証' },
    statement: {
      en: 'Staff whose role lets them see or change My Number can act only in sessions opened with a second factor, and repeated failed sign-ins lock the account.',
      ja: '個人番号を閲覧又は変更できる役割の職員は、第二要素を用いて開始したセッションでのみ操作できるようにし、サインインに繰り返し失敗したアカウントはロックすること。',
    },
    rationale:
      'The three-layer security model for municipal networks requires two-factor authentication in the My Number segment; the PPC guidelines on specific personal information require identifying and authenticating the staff who handle it (My Number Act Art. 12, safety management measures).',
    assessment: {
      method: 'test',
      text: 'Sign in as each My Number role without a second factor and try a My Number route; then fail the sign-in repeatedly. Met when the route is refused and the account locks.',
      automated: 'mfa-for-my-number-roles',
    },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'sec-12',
    title: { en: 'Least privilege and access reviews', ja: '最小権限とアクセス権の見直し' },
    statement: {
      en: 'Access rights are granted per role with the least privilege the work needs, removed on the day a person leaves or changes duties, and reviewed at least every three months by someone other than the holder.',
      ja: 'アクセス権は業務に必要な最小限の権限を役割ごとに付与し、異動・退職の当日に削除するとともに、少なくとも3か月ごとに本人以外の者が見直すこと。',
    },
    rationale:
      'ISMAP control standard 9.2 (user access management; ISO/IEC 27002:2013 9.2.2, 9.2.5, 9.2.6); least privilege is what was missing in both the 2015 pension and the 2023 LY leaks.',
    assessment: {
      method: 'examine',
      text: 'Examine the last two quarterly reviews and compare the account list with the personnel records of leavers and movers; met when no leaver still holds access and each review is signed by a reviewer other than the holders.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-13',
    title: { en: 'No standing privileged access by provider staff', ja: '事業者職員の常時特権の排除' },
    statement: {
      en: 'The provider’s staff have no standing access to systems holding customer data: privileged access is requested for a stated task, approved by a second person, limited in time, and its session is recorded.',
      ja: '事業者の職員に利用者データを保持するシステムへの常時のアクセス権を与えず、特権アクセスは作業目的を示して申請し、別の者の承認を受け、時間を限定して付与し、その操作を記録すること。',
    },
    rationale:
      'ISO/IEC 27002:2013 9.2.3 (management of privileged access rights) and ISO/IEC 27017 CLD.12.1.5 (administrator’s operational security), in ISMAP’s control standard; the customer cannot supervise the provider’s staff directly, so approvals and recordings stand in for that supervision.',
    assessment: {
      method: 'examine',
      text: 'Examine the privileged-access requests of the last quarter against the recorded sessions; met when every session has an approved request by a different person and none outlasts its grant.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-14',
    title: { en: 'Operator cannot read personal data', ja: '運用者による個人データの閲覧不可' },
    statement: {
      en: 'Personal data is decrypted only inside the application for a signed-in member of the municipality entitled to it; database administrators and the provider’s operators see only ciphertext, and no operational tool offers a way around this.',
      ja: '個人データは、閲覧権限を持つ当該団体の職員がサインインしている場合に限りアプリケーション内で復号し、データベース管理者や事業者の運用担当者には暗号文しか見えないようにすること。また、これを回避する運用ツールを設けないこと。',
    },
    rationale:
      'My Number Act Art. 12 and the PPC guidelines (technical safety management measures, access control) and ISO/IEC 27017 CLD.12.1.5: an entrusted provider must not be able to read what it stores for the municipality.',
    assessment: {
      method: 'test',
      text: 'With database administrator rights, query personal-data tables and read backups; met when only ciphertext is visible, and the operator runbooks contain no decryption step.',
      automated: 'records-encrypted',
    },
    dataClasses: PERSONAL,
  },
  {
    id: 'sec-15',
    title: { en: 'My Number segment separated', ja: '個人番号利用事務系の分離' },
    statement: {
      en: 'Functions that read or change My Number are reachable only from the municipality’s My Number segment over a closed network (LGWAN or a dedicated line), never from the internet, and the municipality sets the address ranges that count as that segment.',
      ja: '個人番号を閲覧又は変更する機能には、LGWAN又は専用線等の閉域網を経由した当該団体の個人番号利用事務系からのみ到達できるようにし、インターネットからは到達できないようにすること。また、同系に該当するアドレス範囲は当該団体が設定すること。',
    },
    rationale:
      'The Ministry of Internal Affairs and Communications’ three-layer model for municipal networks (since 2015; kept in the later β, β′ and α′ models): the My Number segment stays cut off from other networks whatever else moves to the internet segment.',
    assessment: {
      method: 'test',
      text: 'Call a My Number function from the internet, from the LGWAN segment and from the configured My Number segment; met when only the last is served and the others are refused and logged.',
      automated: 'network-zones-configured',
    },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'sec-16',
    title: { en: 'Management network separated', ja: '管理用ネットワークの分離' },
    statement: {
      en: 'The network used to administer the service is separated from the networks that carry customers’ traffic, and administration interfaces are not reachable from the internet.',
      ja: '本サービスの管理に用いるネットワークは利用者の通信を伝送するネットワークから分離し、管理用インターフェースにインターネットから到達できないようにすること。',
    },
    rationale:
      'ISO/IEC 27017 CLD.13.1.4 (alignment of security management for virtual and physical networks) and ISMAP control standard 13.1.3 (segregation in networks).',
    assessment: {
      method: 'test',
      text: 'Examine the network design and scan the service’s public addresses for administration ports and consoles; met when none answers from outside the management network.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-17',
    title: { en: 'DDoS protection and web application firewall', ja: 'DDoS対策とWAF' },
    statement: {
      en: 'Internet-facing endpoints of the service sit behind distributed denial-of-service protection and a web application firewall whose rules are kept current and whose blocks are logged.',
      ja: 'インターネットに公開する本サービスのエンドポイントは、分散型サービス妨害（DDoS）対策及びWebアプリケーションファイアウォールの内側に配置し、そのルールを最新に保ち、遮断を記録すること。',
    },
    rationale:
      'MIC standard requirements for the prefectures’ security clouds (2020) concentrate WAF and DDoS protection at the internet boundary; ISMAP control standard 13.1.1 (network controls) and 13.1.2 (security of network services).',
    assessment: {
      method: 'examine',
      text: 'Examine the protection service’s configuration, the date of its last rule update and a sample of block logs for the internet-facing endpoints.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-18',
    title: { en: 'Tamper-evident audit log', ja: '改ざん検知可能な監査ログ' },
    statement: {
      en: 'Every access to personal data and every administrative and security action is appended to an audit log that no one, the provider’s operators included, can alter, remove, reorder or insert into without detection through signed checkpoints that anyone with the public key can verify.',
      ja: '個人データへのすべてのアクセス並びにすべての管理操作及びセキュリティ関連操作を監査ログに追記すること。監査ログは、事業者の運用担当者を含む誰がエントリの変更、削除、並べ替え又は挿入を行っても、公開鍵を持つ者であれば誰でも検証できる署名付きチェックポイントにより検知できるものとすること。',
    },
    rationale:
      'ISMAP control standard 12.4.2 (protection of log information) and 12.4.3 (administrator and operator logs), ISO/IEC 27017 CLD.12.4.5 (monitoring of cloud services); an entrusting municipality must be able to check its entrusted party’s records (My Number Act Art. 11, supervision of entrusted parties).',
    assessment: {
      method: 'test',
      text: 'Export the log and verify it offline against the latest signed checkpoint; alter one entry in a copy and verify again. Met when the first verification passes and the second names the altered entry.',
      automated: 'audit-log-verifies',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-19',
    title: { en: 'Security monitoring around the clock', ja: '24時間のセキュリティ監視' },
    statement: {
      en: 'Security events of the service are monitored 24 hours a day by a security operations function that triages a high-severity alert within 30 minutes.',
      ja: '本サービスのセキュリティイベントは、24時間体制のセキュリティ監視機能により監視し、重大度の高いアラートは30分以内に一次判断を行うこと。',
    },
    rationale:
      'ISMAP control standard 12.4.1 (event logging) and 16.1 (management of information security incidents), ISO/IEC 27017 CLD.12.4.5; in the 2015 pension leak, days passed between the first warning and the network being cut off.',
    assessment: {
      method: 'interview',
      text: 'Interview the security operations staff and examine the alert records of the last quarter; met when every high-severity alert has a triage record within 30 minutes, nights and holidays included.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-20',
    title: { en: 'Security log retention', ja: 'セキュリティログの保存' },
    statement: {
      en: 'Security and administration logs of the service are kept for at least one year, the most recent 90 days searchable at once, protected against change and deletion, and handed to the customer on request.',
      ja: '本サービスのセキュリティログ及び管理操作ログは、少なくとも1年間（直近90日分は即時に検索可能な状態で）改ざん・削除から保護して保存し、利用者の求めに応じて提供すること。',
    },
    rationale:
      'ISMAP control standard 12.4.1 (event logging) and ISO/IEC 27017 12.4.1; investigations of the 2015 and 2023 leaks depended on logs reaching back months before discovery.',
    assessment: {
      method: 'examine',
      text: 'Examine the retention settings and retrieve a log entry from eleven months ago and one from last week; met when both are produced and the store refuses deletion before the period ends.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-21',
    title: { en: 'Personal data access records kept five years', ja: '個人データのアクセス記録の5年保存' },
    statement: {
      en: 'Records of who accessed which resident’s personal data, when, from where and for what purpose are kept for at least five years and can be searched by resident on the municipality’s request.',
      ja: '誰が、いつ、どこから、どの目的で、どの住民の個人データにアクセスしたかの記録を少なくとも5年間保存し、団体の求めに応じて住民ごとに検索できるようにすること。',
    },
    rationale:
      'The PPC guidelines on specific personal information call for records of its use to be kept and checked; residents’ disclosure requests under the Act on the Protection of Personal Information often reach back years. The five-year period is this catalog’s choice, not a statutory figure.',
    assessment: {
      method: 'test',
      text: 'Ask for the access history of one test resident over a period longer than one year; met when it is produced with actor, time, source and purpose for each access.',
    },
    dataClasses: PERSONAL,
  },
  {
    id: 'sec-22',
    title: { en: 'Clocks synchronized', ja: '時刻同期' },
    statement: {
      en: 'All systems of the service synchronize their clocks with a trusted time source traceable to Japan Standard Time (such as NICT’s) and keep within one second of it, so that logs from different systems can be put in order.',
      ja: '本サービスのすべてのシステムは、日本標準時にトレーサブルな信頼できる時刻源（NICT等）と時刻を同期し、その差を1秒以内に保つことにより、異なるシステムのログを時系列に並べられるようにすること。',
    },
    rationale: 'ISMAP control standard 12.4.4 (clock synchronization; ISO/IEC 27017 12.4.4 asks providers to inform customers of the time source).',
    assessment: {
      method: 'test',
      text: 'Compare the clocks of a sample of hosts and the log timestamps of one event seen by several systems; met when all lie within one second.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-23',
    title: { en: 'Vulnerability management with deadlines', ja: '期限付きの脆弱性管理' },
    statement: {
      en: 'The provider tracks vulnerabilities in every component of the service and fixes or mitigates critical ones (CVSS 9.0 or higher) within 7 days and high ones (7.0 to 8.9) within 30 days of a fix being available, recording any exception with its approval.',
      ja: '事業者は、本サービスのすべての構成要素の脆弱性を管理し、修正が利用可能になってから、緊急（CVSS 9.0以上）のものは7日以内、重要（7.0以上8.9以下）のものは30日以内に修正又は緩和し、例外は承認とともに記録すること。',
    },
    rationale:
      'ISMAP control standard 12.6.1 (management of technical vulnerabilities; ISO/IEC 27017 12.6.1 asks providers to inform customers about vulnerabilities that affect them). The deadlines are this catalog’s choice, in line with common government practice.',
    assessment: {
      method: 'examine',
      text: 'Examine the vulnerability register of the last six months against scan results; met when every critical and high finding was closed within its deadline or carries an approved exception.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-24',
    title: { en: 'Independent penetration testing', ja: '第三者による侵入試験' },
    statement: {
      en: 'The service is penetration-tested by testers independent of its developers at least once a year and after every major change, and every finding is tracked until it is fixed or its risk is formally accepted.',
      ja: '本サービスは、少なくとも年1回及び大規模な変更の都度、開発者から独立した試験者による侵入試験を受け、すべての指摘事項を修正又はリスク受容の正式な決定まで追跡すること。',
    },
    rationale: 'ISMAP control standard 18.2.3 (technical compliance review) and 14.2.8 (system security testing), after ISO/IEC 27002:2013.',
    assessment: {
      method: 'examine',
      text: 'Examine the latest test report, the testers’ independence and the tracking of its findings; met when the report is less than a year old and no finding is open past its agreed date.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-25',
    title: { en: 'Dedicated, protected administration terminals', ja: '専用かつ保護された管理端末' },
    statement: {
      en: 'Administration of the service is done only from terminals dedicated to that work, managed by the provider, with malware protection, full-disk encryption and no use for e-mail or web browsing.',
      ja: '本サービスの管理は、事業者が管理する管理専用端末からのみ行い、当該端末にはマルウェア対策及びディスク全体の暗号化を施し、電子メールやWeb閲覧には使用しないこと。',
    },
    rationale:
      'ISMAP control standard 12.2.1 (controls against malware) and 6.2.1 (mobile device policy); the 2023 LY leak began with a contractor’s infected PC, the 2015 pension leak with targeted e-mail.',
    assessment: {
      method: 'examine',
      text: 'Examine the terminal inventory and its management records, and check that administration endpoints accept connections only from those terminals.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-26',
    title: { en: 'Secure development lifecycle', ja: 'セキュア開発ライフサイクル' },
    statement: {
      en: 'Every change to the service’s code is reviewed by a second person and passes automated security checks (static analysis, dependency vulnerability scanning) before release, and every release comes with a software bill of materials.',
      ja: '本サービスのコードへのすべての変更は、リリース前に別の者によるレビュー及び自動化されたセキュリティ検査（静的解析、依存関係の脆弱性検査）を経ることとし、リリースごとにソフトウェア部品表（SBOM）を作成すること。',
    },
    rationale:
      'ISMAP control standard 14.2 (security in development and support processes; ISO/IEC 27002:2013 14.2.1, 14.2.5) and the government’s push for SBOM in procurement; a bill of materials is what lets a provider answer "are we affected?" within the deadlines of sec-23.',
    assessment: {
      method: 'examine',
      text: 'Sample recent changes and releases; met when each change has a recorded review by someone other than its author and passing checks, and each release has an SBOM.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-27',
    title: { en: 'Secrets kept out of code and logs', ja: '秘密情報のコード・ログからの排除' },
    statement: {
      en: 'Passwords, keys and tokens are kept in a secrets store, never in source code, images or logs; they are rotated when a person with access leaves and at once when exposure is suspected.',
      ja: 'パスワード、鍵及びトークンは秘密情報管理の仕組みに保管し、ソースコード、イメージ及びログには含めないこと。また、参照権限を持つ者の離任時、及び漏えいが疑われる場合は直ちに更新すること。',
    },
    rationale: 'ISMAP control standard 9.4.3 (password management system) and 9.2.4 (management of secret authentication information).',
    assessment: {
      method: 'test',
      text: 'Scan the repositories, images and a sample of logs for secrets; met when none is found and the secrets store shows rotation after the last leaver.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-28',
    title: { en: 'Bulk-read detection and blocking', ja: '大量閲覧の検知と遮断' },
    statement: {
      en: 'The service counts how many distinct residents each account and each municipality views per hour, blocks an account that exceeds the municipality’s limit, and alerts the municipality’s administrators at once.',
      ja: '本サービスは、アカウントごと及び団体ごとに1時間あたりに閲覧された住民の数を計数し、団体の定める上限を超えたアカウントの閲覧を遮断するとともに、直ちに団体の管理者に通知すること。',
    },
    rationale:
      'The 2015 pension and 2023 LY leaks were bulk copies that monitoring should have stopped; ISMAP control standard 12.4.1 (event logging) and the PPC guidelines’ technical measures against leakage.',
    assessment: {
      method: 'test',
      text: 'With a test account, view more distinct residents in an hour than the limit; met when the read over the limit is refused, the account is blocked and an alert reaches the administrators.',
      automated: 'leak-guard-active',
    },
    dataClasses: PERSONAL,
  },
  {
    id: 'sec-29',
    title: { en: 'Two-person approval for bulk exports', ja: '一括出力の二者承認' },
    statement: {
      en: 'Taking personal data out of the service in bulk requires a request by one authorized person and approval by a different one; the exported file is encrypted so that only the requester can open it, and every step is audited.',
      ja: '本サービスから個人データを一括して持ち出すには、権限を持つ者の申請と別の者の承認を必要とし、出力ファイルは申請者のみが復号できるよう暗号化し、各手順を監査ログに記録すること。',
    },
    rationale:
      'The three-layer model forbids taking data out of the My Number segment unchecked; ISMAP control standard 8.3 (media handling) and 13.2 (information transfer) and the PPC guidelines on preventing unauthorized removal of specific personal information.',
    assessment: {
      method: 'test',
      text: 'Request an export and try to approve it as the requester, then approve it as another administrator and download it as a third person; met when the self-approval and the third person’s download are refused and audited.',
    },
    dataClasses: PERSONAL,
  },
  {
    id: 'sec-30',
    title: { en: 'Physical security of data centers', ja: 'データセンターの物理的セキュリティ' },
    statement: {
      en: 'Data centers holding customer data have a guarded perimeter, individual authenticated entry to server areas with entries logged, video surveillance kept for at least 90 days, and escorted visitors.',
      ja: '利用者データを保持するデータセンターは、警備された外周、個人認証による入退室管理とその記録、少なくとも90日間保存される監視映像、及び来訪者への付添いを備えること。',
    },
    rationale: 'ISMAP control standard 11.1 (secure areas; ISO/IEC 27002:2013 11.1.1-11.1.6).',
    assessment: {
      method: 'examine',
      text: 'Examine the facility’s third-party audit report or visit it; check a sample of entry logs against video records.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-31',
    title: { en: 'Secure disposal of storage media', ja: '記録媒体の安全な廃棄' },
    statement: {
      en: 'Storage media that held customer data are sanitized to NIST SP 800-88 (purge or destroy) or physically destroyed before they leave the data center, and a certificate of each disposal is kept.',
      ja: '利用者データを記録した媒体は、データセンターの外に出す前にNIST SP 800-88の消去（パージ又は破壊）相当の方法で消去するか物理的に破壊し、廃棄ごとの証明書を保管すること。',
    },
    rationale: 'ISMAP control standard 11.2.7 (secure disposal or re-use of equipment) and 8.3.2 (disposal of media); ISO/IEC 27017 CLD.8.1.5 (removal of cloud service customer assets).',
    assessment: {
      method: 'examine',
      text: 'Examine the disposal procedure and a sample of disposal certificates against the media inventory; met when every retired medium has a certificate.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-32',
    title: { en: 'No personal data in logs, events or URLs', ja: 'ログ・イベント・URLへの個人データ記録の禁止' },
    statement: {
      en: 'Plaintext personal data never appears in logs, error messages, metrics, event messages or URLs of the service; these carry identifiers and codes only.',
      ja: '平文の個人データを本サービスのログ、エラーメッセージ、メトリクス、イベントメッセージ及びURLに含めず、これらには識別子及びコードのみを記録すること。',
    },
    rationale:
      'Logs and telemetry are copied to more places and kept by more people than the database; ISMAP control standard 12.4 (logging) with 18.1.4 (privacy and protection of personally identifiable information).',
    assessment: {
      method: 'test',
      text: 'Run the service’s test suite with known test residents and scan every log, error response and metric it produced; met when none contains a test resident’s name, address or number.',
    },
    dataClasses: PERSONAL,
  },
  {
    id: 'sec-33',
    title: { en: 'Password storage and account lockout', ja: 'パスワードの保存方式とアカウントロック' },
    statement: {
      en: 'Passwords are stored only as salted hashes of a memory-hard function (scrypt, Argon2 or equivalent), and sign-in is slowed and then locked after repeated failures.',
      ja: 'パスワードは、メモリハードな関数（scrypt、Argon2又は同等のもの）によるソルト付きハッシュとしてのみ保存し、サインインの失敗が続いた場合は応答を遅延させた上でアカウントをロックすること。',
    },
    rationale: 'ISMAP control standard 9.4.2 (secure log-on procedures) and 9.4.3 (password management system).',
    assessment: {
      method: 'test',
      text: 'Inspect the credential store for the hash format, and fail sign-in repeatedly for a test account; met when hashes are memory-hard and the account locks.',
    },
    dataClasses: ALL,
  },
  {
    id: 'sec-34',
    title: { en: 'My Number systems administered from a secured area', ja: '個人番号系システムの管理区域からの管理' },
    statement: {
      en: 'Systems holding My Number are administered only from a secured area whose entry is controlled and recorded, where terminals cannot write to removable media or print, and screens are out of view of others.',
      ja: '個人番号を保持するシステムの管理は、入退室を管理・記録する区域からのみ行い、同区域の端末では外部記録媒体への書込み及び印刷をできないようにし、画面が第三者から見えないようにすること。',
    },
    rationale:
      'The PPC guidelines on specific personal information (physical safety management measures: controlled areas for handling, preventing removal of devices and media) under My Number Act Art. 12.',
    assessment: {
      method: 'examine',
      text: 'Visit or examine the area’s design and entry records and test a terminal’s device and print controls.',
    },
    dataClasses: MY_NUMBER,
  },
];
