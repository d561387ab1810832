/**
 * Operations requirements (運用): certification, the management system,
 * incidents and their notification, availability, change and capacity,
 * continuity and disaster recovery, people, suppliers, support, cost and the
 * ability to leave. Recovery objectives and deadlines are this catalog's
 * choices, set for municipalities' core systems; a profile may tighten them.
 */
import type { RequirementDraft } from '../requirements.js';

const ALL = ['my_number', 'personal', 'general'] as const;
const MY_NUMBER = ['my_number'] as const;

export const OPERATIONS: readonly RequirementDraft[] = [
  {
    id: 'ops-01',
    title: { en: 'ISMAP registration kept current', ja: 'ISMAP登録の維持' },
    statement: {
      en: 'Every cloud service the system runs on is registered in the ISMAP cloud service list, and the provider renews the registration before it expires.',
      ja: 'システムが稼働するすべてのクラウドサービスはISMAPクラウドサービスリストに登録されていることとし、事業者は登録の有効期限が切れる前に更新すること。',
    },
    rationale:
      'Government may buy only ISMAP-registered cloud services; a registration is valid until one year and four months after the end of the audited period, and a pending renewal keeps it valid.',
    assessment: {
      method: 'examine',
      text: 'Look up each service on the ISMAP list and compare its validity with today’s date.',
      automated: 'provider-certified',
    },
    dataClasses: ALL,
  },
  {
    id: 'ops-02',
    title: { en: 'ISO/IEC 27001 and 27017 certification', ja: 'ISO/IEC 27001及び27017の認証' },
    statement: {
      en: 'The provider’s information security management system covering the service is certified to ISO/IEC 27001 with the cloud controls of ISO/IEC 27017, by an accredited certification body.',
      ja: '本サービスを対象範囲に含む事業者の情報セキュリティマネジメントシステムは、認定を受けた認証機関によりISO/IEC 27017のクラウド管理策を含めてISO/IEC 27001の認証を受けていること。',
    },
    rationale: 'ISMAP’s management standard follows ISO/IEC 27001 and its control standard ISO/IEC 27002 and 27017; certification is independent evidence that the system runs between ISMAP audits.',
    assessment: { method: 'examine', text: 'Examine the certificates, their scope and validity.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-03',
    title: { en: 'Annual risk assessment', ja: '年次のリスクアセスメント' },
    statement: {
      en: 'The provider assesses the information security risks of the service at least once a year and after every major change, and records a treatment and an owner for each risk.',
      ja: '事業者は、少なくとも年1回及び大規模な変更の都度、本サービスの情報セキュリティリスクを評価し、リスクごとに対応策と責任者を記録すること。',
    },
    rationale: 'ISMAP management standard (risk assessment and treatment, after ISO/IEC 27001 6.1.2 and 8.2).',
    assessment: { method: 'examine', text: 'Examine the latest risk assessment and treatment plan and their dates.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-04',
    title: { en: 'Internal audit', ja: '内部監査' },
    statement: {
      en: 'The controls of the service are audited at least once a year by internal auditors independent of the people who operate them, and findings are tracked to closure.',
      ja: '本サービスの管理策は、少なくとも年1回、その運用者から独立した内部監査人が監査し、指摘事項を是正完了まで追跡すること。',
    },
    rationale: 'ISMAP management standard (internal audit, after ISO/IEC 27001 9.2).',
    assessment: { method: 'examine', text: 'Examine the audit programme, the latest report and the status of its findings.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-05',
    title: { en: 'Management review by top management', ja: '経営層によるマネジメントレビュー' },
    statement: {
      en: 'Top management reviews the security of the service at least once a year, covering incidents, audit results, risks and resources, and records its decisions.',
      ja: '経営層は、少なくとも年1回、インシデント、監査結果、リスク及び資源を含めて本サービスのセキュリティを見直し、その決定を記録すること。',
    },
    rationale: 'ISMAP governance standard (top management’s direction and monitoring, after ISO/IEC 27014) and management standard (management review, ISO/IEC 27001 9.3).',
    assessment: { method: 'interview', text: 'Interview a member of top management and examine the minutes of the latest review.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-06',
    title: { en: 'Incident response plan exercised', ja: 'インシデント対応計画と訓練' },
    statement: {
      en: 'The provider has an incident response plan for the service with roles, contacts and escalation to customers and authorities, and exercises it at least once a year.',
      ja: '事業者は、役割、連絡先並びに利用者及び関係機関への報告経路を定めた本サービスのインシデント対応計画を策定し、少なくとも年1回訓練を行うこと。',
    },
    rationale: 'ISMAP control standard 16.1 (management of information security incidents; ISMAP draws on NIST SP 800-53 for incident response) and ISO/IEC 27017 16.1.1.',
    assessment: { method: 'examine', text: 'Examine the plan and the report of the latest exercise, including lessons applied.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-07',
    title: { en: 'Incident notification deadlines', ja: 'インシデント通知の期限' },
    statement: {
      en: 'The provider notifies an affected customer of a security incident within one hour of confirming it, sends a written interim report within 24 hours, and a final report with root cause and measures within 30 days.',
      ja: '事業者は、セキュリティインシデントを確認してから1時間以内に影響を受ける利用者へ通知し、24時間以内に書面で中間報告を行い、30日以内に根本原因と対策を記した最終報告を行うこと。',
    },
    rationale:
      'ISMAP control standard 16.1.2 (reporting information security events; ISO/IEC 27017 16.1.2 asks providers to agree notification with customers); municipalities must themselves report to the PPC and to the national incident response channels within days.',
    assessment: { method: 'examine', text: 'Examine the notification records of past incidents or an exercise against the three deadlines.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-08',
    title: { en: 'Reporting to national authorities', ja: '国の機関への報告' },
    statement: {
      en: 'The provider reports incidents affecting government systems to the authorities designated by the Government Cloud rules (the Digital Agency and the national incident response channel) within the times those rules set, and tells the customer it has done so.',
      ja: '事業者は、政府のシステムに影響するインシデントを、ガバメントクラウドの規程が定める機関（デジタル庁及び国のインシデント対応窓口）にその定める期限内に報告し、報告したことを利用者に伝えること。',
    },
    rationale: 'The government’s unified cybersecurity standards centralize incident reporting so that one attack seen by many agencies is recognized as one.',
    assessment: { method: 'examine', text: 'Examine the reporting procedure and the record of past reports.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-09',
    title: { en: 'Availability of 99.9% or better', ja: '99.9%以上の可用性' },
    statement: {
      en: 'Each service used for municipal operations is available at least 99.9% of each month outside announced maintenance, and the provider publishes the measured figure every month.',
      ja: '団体の事務に用いる各サービスは、予告したメンテナンス時間を除き、各月の99.9%以上の時間利用可能であることとし、事業者は毎月の実績値を公表すること。',
    },
    rationale: 'ISMAP control standard 17.2.1 (availability of information processing facilities); counters and certificates stop when the system does.',
    assessment: { method: 'examine', text: 'Examine twelve months of published availability and compare it with independent monitoring.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-10',
    title: { en: 'Recovery objectives for a region-wide loss', ja: 'リージョン障害時の復旧目標' },
    statement: {
      en: 'After the loss of a whole region the service is restored in another region in Japan within 24 hours (RTO) with at most one hour of data lost (RPO).',
      ja: 'リージョン全体が失われた場合、国内の別リージョンにおいて24時間以内（RTO）に、失われるデータを1時間分以内（RPO）にとどめて本サービスを復旧すること。',
    },
    rationale:
      'ISMAP control standard 17.1 (information security continuity) and 17.2; disaster recovery is a published aim of the Government Cloud, after the 2011 tsunami destroyed town halls’ servers.',
    assessment: { method: 'test', text: 'Examine the continuity plan and the measured times of the latest failover exercise (ops-11).' },
    dataClasses: ALL,
  },
  {
    id: 'ops-11',
    title: { en: 'Disaster recovery exercised yearly', ja: '年次の災害復旧訓練' },
    statement: {
      en: 'The provider exercises failover to the recovery region at least once a year and reports the achieved recovery time and data loss to customers.',
      ja: '事業者は、少なくとも年1回、復旧用リージョンへの切替訓練を行い、達成した復旧時間及びデータ損失を利用者に報告すること。',
    },
    rationale: 'ISMAP control standard 17.1.3 (verify, review and evaluate information security continuity); recovery objectives that were never measured are guesses.',
    assessment: { method: 'examine', text: 'Examine the report of the latest exercise; met when it is less than a year old and meets ops-10.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-12',
    title: { en: 'Restoration priorities for disasters', ja: '災害時の復旧優先順位' },
    statement: {
      en: 'The operator keeps, agreed with each municipality, an order in which operations are restored after a disaster, led by those residents need most in one (resident records, certificates, disaster relief payments).',
      ja: '運用者は、住民が災害時に最も必要とする事務（住民記録、証明書の交付、被災者への給付等）を先頭とする、災害後に事務を復旧する順序を各団体と合意して保持すること。',
    },
    rationale:
      'After the 2011 tsunami towns restarted services on shared systems in remote data centers; knowing the order in advance is what makes a shared restart fast. ISMAP control standard 17.1.1.',
    assessment: { method: 'interview', text: 'Interview the operator and examine the agreed priority list for a sample of municipalities.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-13',
    title: { en: 'Change management', ja: '変更管理' },
    statement: {
      en: 'Changes to the production service are recorded, risk-assessed, tested, approved by someone other than the implementer and carry a rollback plan; emergency changes are reviewed within five business days.',
      ja: '本番サービスへの変更は記録し、リスクを評価し、試験を行い、実施者以外の者が承認し、切戻し計画を備えること。緊急変更は5営業日以内に事後レビューを行うこと。',
    },
    rationale: 'ISMAP control standard 12.1.2 (change management) and 14.2.2; ISO/IEC 27017 12.1.2 asks providers to inform customers of changes that affect them.',
    assessment: { method: 'examine', text: 'Sample production changes of the last quarter against their change records.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-14',
    title: { en: 'Maintenance announced in advance', ja: 'メンテナンスの事前告知' },
    statement: {
      en: 'Planned maintenance that interrupts or degrades the service is announced at least 14 days ahead on a status page and to customers’ contacts, and scheduled outside municipal office hours.',
      ja: 'サービスの停止又は性能低下を伴う計画メンテナンスは、少なくとも14日前にステータスページ及び利用者の連絡先に告知し、団体の開庁時間外に実施すること。',
    },
    rationale: 'ISO/IEC 27017 12.1.2 (change management: informing customers) and ISMAP control standard 12.1.1 (documented operating procedures).',
    assessment: { method: 'examine', text: 'Examine the announcements of the last maintenance windows against their dates and times.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-15',
    title: { en: 'Capacity planned for peak periods', ja: '繁忙期を見込んだ容量計画' },
    statement: {
      en: 'Capacity is monitored and forecast, kept with at least 30% headroom at peak, and planned ahead for the known peaks of municipal work (the March-April moving season, the residential tax assessment in May and June, the salary payment reports received in January).',
      ja: '容量を監視・予測し、ピーク時にも30%以上の余裕を確保するとともに、団体業務の既知の繁忙期（3月から4月の異動期、5月から6月の住民税の当初課税、1月の給与支払報告書の受付等）に向けてあらかじめ計画すること。',
    },
    rationale: 'ISMAP control standard 12.1.3 (capacity management; ISO/IEC 27017 12.1.3 adds monitoring of the total capacity of shared resources).',
    assessment: { method: 'examine', text: 'Examine the capacity reports of the last peak period and the plan for the next.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-16',
    title: { en: 'Service health monitored with on-call staff', ja: '稼働監視と待機体制' },
    statement: {
      en: 'The health of the service is monitored continuously, with alerts to on-call staff who respond to a critical alert within 15 minutes at any hour.',
      ja: '本サービスの稼働状況を常時監視し、アラートを待機要員に通知して、重大なアラートには時間帯を問わず15分以内に対応を開始すること。',
    },
    rationale: 'ISMAP control standard 12.4.1 (event logging) and ISO/IEC 27017 CLD.12.4.5 (monitoring of cloud services).',
    assessment: { method: 'examine', text: 'Examine the on-call rota and the response times of critical alerts over the last quarter.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-17',
    title: { en: 'Support in Japanese', ja: '日本語でのサポート' },
    statement: {
      en: 'Support is given in Japanese, during municipal office hours for ordinary requests and around the clock for a service outage, with published response times per severity.',
      ja: 'サポートは日本語で提供し、通常の問合せには団体の開庁時間中に、サービス停止には24時間対応することとし、重大度ごとの応答時間を公表すること。',
    },
    rationale: 'Municipal staff must be able to raise and follow a problem in their own language at the hours they work; ISMAP control standard 15.2 (supplier service delivery).',
    assessment: { method: 'test', text: 'Raise a test request in Japanese at an ordinary and an off-hours time and measure the responses.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-18',
    title: { en: 'Staff screening', ja: '職員の適格性確認' },
    statement: {
      en: 'People who can access customer data are screened before they start, as far as Japanese law allows (identity, career and qualifications), bound by confidentiality, and work in Japan.',
      ja: '利用者データにアクセスできる者は、日本の法令が許す範囲で、着任前に適格性を確認（本人確認、経歴及び資格）し、秘密保持義務を課し、国内で勤務させること。',
    },
    rationale: 'ISMAP control standard 7.1.1 (screening) and 7.1.2 (terms and conditions of employment); dat-02 requires processing in Japan.',
    assessment: { method: 'examine', text: 'Examine the screening procedure and a sample of personnel records of people with access.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-19',
    title: { en: 'Security training', ja: 'セキュリティ教育' },
    statement: {
      en: 'Everyone working on the service is trained in information security on joining and at least yearly, and those who handle personal data also in the rules for personal information and My Number.',
      ja: '本サービスに従事するすべての者に着任時及び少なくとも年1回情報セキュリティ教育を行い、個人データを取り扱う者には個人情報及び個人番号の取扱いに関する規程の教育も行うこと。',
    },
    rationale: 'ISMAP control standard 7.2.2 (information security awareness, education and training) and the PPC guidelines’ human safety management measures.',
    assessment: { method: 'examine', text: 'Examine training records against the staff list; met when no one is overdue.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-20',
    title: { en: 'Named staff for My Number systems', ja: '個人番号系システムの担当者の明確化' },
    statement: {
      en: 'The people who operate systems holding My Number are named, kept to the minimum the work needs, and their list is given to the municipality and updated whenever it changes.',
      ja: '個人番号を保持するシステムを運用する者を特定し、業務に必要な最小限の人数とし、その名簿を団体に提出して変更の都度更新すること。',
    },
    rationale: 'The PPC guidelines on specific personal information (organizational measures: clarifying the staff who handle it) under My Number Act Art. 12.',
    assessment: { method: 'examine', text: 'Compare the list given to the municipality with the accounts holding access to My Number systems.' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'ops-21',
    title: { en: 'Suppliers assessed', ja: '供給者の評価' },
    statement: {
      en: 'The provider assesses the security of each supplier that can affect the service before using it and at least yearly after, and keeps the results.',
      ja: '事業者は、本サービスに影響し得る各供給者のセキュリティを利用開始前及びその後少なくとも年1回評価し、その結果を保存すること。',
    },
    rationale: 'ISMAP control standard 15.1 and 15.2 (supplier relationships and service delivery management); the 2023 LY leak entered through a contractor.',
    assessment: { method: 'examine', text: 'Examine the supplier register and the latest assessments.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-22',
    title: { en: 'Configuration baselines and drift detection', ja: '構成基準と逸脱の検知' },
    statement: {
      en: 'The configuration of the service’s infrastructure is defined as code under version control, and drift from it is detected and corrected within one business day.',
      ja: '本サービスの基盤の構成をコードとして定義して版管理し、そこからの逸脱を検知して1営業日以内に是正すること。',
    },
    rationale: 'ISMAP control standard 12.1.2 (change management) and 12.5.1 (installation of software on operational systems).',
    assessment: { method: 'test', text: 'Change a setting outside the pipeline in a test environment and observe detection and correction.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-23',
    title: { en: 'No software past end of support', ja: 'サポート終了ソフトウェアの不使用' },
    statement: {
      en: 'No component of the service runs past the end of its vendor’s or community’s security support; replacements are planned at least six months before.',
      ja: '本サービスのいかなる構成要素も、ベンダー又はコミュニティによるセキュリティサポートの終了後に稼働させないこととし、少なくとも6か月前に置換えを計画すること。',
    },
    rationale: 'ISMAP control standard 12.6.1 (management of technical vulnerabilities): unsupported software gets no fixes, so sec-23 cannot be met for it.',
    assessment: { method: 'examine', text: 'Examine the component inventory (the SBOM of sec-26) against support end dates.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-24',
    title: { en: 'Backup failures acted on', ja: 'バックアップ失敗への対応' },
    statement: {
      en: 'Every failed or missed backup raises an alert and is put right within one business day, and the customer is told if a recovery point was lost.',
      ja: 'バックアップの失敗又は未実行はすべてアラートを発し、1営業日以内に是正し、復旧点が失われた場合は利用者に伝えること。',
    },
    rationale: 'ISMAP control standard 12.3.1 (information backup); a silent backup failure is found only when the restore is needed.',
    assessment: { method: 'examine', text: 'Examine the backup alert history and the handling of each failure.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-25',
    title: { en: 'Checkpoints witnessed by a third party', ja: '第三者によるチェックポイントの立会い' },
    statement: {
      en: 'The audit log’s signed checkpoints are published at least daily to, and co-signed by, at least one party independent of the operator (a prefecture or another provider), so that a rewritten log cannot go unnoticed.',
      ja: '監査ログの署名付きチェックポイントを、少なくとも日次で運用者から独立した一者以上（都道府県又は他の事業者）に公開して連署を受け、ログが書き換えられた場合に必ず発覚するようにすること。',
    },
    rationale: 'A log verified only against the operator’s own signatures cannot show that the operator did not fork it; witnesses give ISMAP control standard 12.4.2 (protection of log information) an outside anchor.',
    assessment: { method: 'examine', text: 'Examine the witness co-signatures on the last month’s checkpoints and check that they form one consistent history.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-26',
    title: { en: 'Usage metered per municipality', ja: '団体ごとの利用量の計測' },
    statement: {
      en: 'Resource use is metered per municipality and per operation, and each municipality receives a monthly report of its use and charges that it can check against the price list.',
      ja: '資源の利用量を団体ごと及び事務ごとに計測し、各団体に対し、価格表と照合できる利用量及び料金の月次報告を行うこと。',
    },
    rationale:
      'The Government Cloud aims at 30% lower running costs than FY2018, yet costs averaged 2.3 times after migration in 2025 reports; a municipality can manage only what it can see.',
    assessment: { method: 'examine', text: 'Reconcile one municipality’s monthly report with the price list and the metering data.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-27',
    title: { en: 'Cost compared with the baseline', ja: '基準年度との費用比較' },
    statement: {
      en: 'The operator reports each municipality’s yearly running cost per operation in a form it can compare with its FY2018 baseline, with the shared costs and how they were divided.',
      ja: '運用者は、各団体の事務ごとの年間運用経費を、平成30年度の基準値と比較できる形で、共通経費とその按分方法とともに報告すること。',
    },
    rationale: 'The Government Cloud’s cost target (30% lower than FY2018) can be followed only if costs are reported against it; sharing one system among many municipalities is the intended saving.',
    assessment: { method: 'examine', text: 'Examine the latest yearly cost report for a sample municipality.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-28',
    title: { en: 'Releases versioned with notes', ja: 'リリースの版管理とリリースノート' },
    statement: {
      en: 'Every release of the service carries a version, release notes in Japanese naming the standard specification versions it implements, and changes affecting customers are announced before they take effect.',
      ja: '本サービスの各リリースには版番号と、実装する標準仕様の版を明記した日本語のリリースノートを付し、利用者に影響する変更は効力発生前に告知すること。',
    },
    rationale: 'ISMAP control standard 12.1.2 and ISO/IEC 27017 12.1.2 (informing customers of changes); municipalities must follow which version of the standard specifications they run (leg-28).',
    assessment: { method: 'examine', text: 'Examine the release notes of the last releases.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-29',
    title: { en: 'Exit rehearsed', ja: '移行の予行演習' },
    statement: {
      en: 'At least once a year a complete municipality is exported and restored on infrastructure of another provider or a neutral environment, and the time and effort are recorded.',
      ja: '少なくとも年1回、一団体分の全データを出力して他の事業者の基盤又は中立的な環境上に復元する予行演習を行い、所要時間及び工数を記録すること。',
    },
    rationale: 'Lock-in avoidance is a founding aim of the Government Cloud; an exit that has never been tried is not a credible option (ISO/IEC 27017 CLD.8.1.5).',
    assessment: { method: 'examine', text: 'Examine the report of the latest rehearsal.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-30',
    title: { en: 'No proprietary services for core data', ja: '中核データへの独自サービスの不使用' },
    statement: {
      en: 'Core data is held in software with open interfaces available from several providers (such as PostgreSQL), not in a service only one provider offers, so that the system can move between certified providers.',
      ja: '中核となるデータは、単一の事業者のみが提供するサービスではなく、複数の事業者から利用可能なオープンなインターフェースを持つソフトウェア（PostgreSQL等）に保持し、認証を受けた事業者間で移行できるようにすること。',
    },
    rationale:
      'The Government Cloud admits several providers precisely so that municipalities can choose among them; 162 of 176 early systems ran on one provider. Portability is a published aim.',
    assessment: { method: 'examine', text: 'Examine the architecture for provider-specific data services holding core data.' },
    dataClasses: ALL,
  },
  {
    id: 'ops-31',
    title: { en: 'Operating procedures documented', ja: '運用手順の文書化' },
    statement: {
      en: 'The procedures for operating the service (start-up, shutdown, backup, restore, key operations, incident handling) are documented, kept current and available to the staff who need them.',
      ja: '本サービスの運用手順（起動、停止、バックアップ、復元、鍵の操作、インシデント対応）を文書化して最新に保ち、必要とする職員が参照できるようにすること。',
    },
    rationale: 'ISMAP control standard 12.1.1 (documented operating procedures; ISO/IEC 27017 12.1.1 extends it to the customer’s view of critical operations).',
    assessment: { method: 'examine', text: 'Examine the procedure set and walk through one procedure with an operator.' },
    dataClasses: ALL,
  },
];
