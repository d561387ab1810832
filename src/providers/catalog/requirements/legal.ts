/**
 * Legal and contractual requirements (法務・契約): jurisdiction and governing
 * law, the contracting party, data ownership and foreign access, entrustment
 * under the My Number Act and the Act on the Protection of Personal
 * Information, sub-processors, audit rights, prices and exit terms. They are
 * assessed mostly by examining the contract and the provider's published terms.
 */
import type { RequirementDraft } from '../requirements.js';

const ALL = ['my_number', 'personal', 'general'] as const;
const PERSONAL = ['my_number', 'personal'] as const;
const MY_NUMBER = ['my_number'] as const;

export const LEGAL: readonly RequirementDraft[] = [
  {
    id: 'leg-01',
    title: { en: 'Japanese law governs the contract', ja: '準拠法は日本法' },
    statement: {
      en: 'The service contract, including the terms of service it incorporates, names Japanese law as its governing law.',
      ja: '利用規約を含むサービス契約の準拠法を日本法とすること。',
    },
    rationale:
      'The Government Cloud keeps municipalities’ data under Japanese jurisdiction; the Digital Agency’s requirements for Government Cloud providers include Japanese governing law.',
    assessment: { method: 'examine', text: 'Examine the contract and every document it incorporates by reference; met when each names Japanese law and none reserves another law for any part.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-02',
    title: { en: 'A Japanese court of first instance', ja: '第一審の管轄裁判所は日本の裁判所' },
    statement: {
      en: 'The service contract names a Japanese court (such as the Tokyo District Court) as the court of first instance with exclusive jurisdiction over disputes, and provides for no arbitration outside Japan.',
      ja: 'サービス契約において、日本の裁判所（東京地方裁判所等）を紛争に関する第一審の専属的合意管轄裁判所と定め、日本国外での仲裁を定めないこと。',
    },
    rationale:
      'Japanese jurisdiction over the Government Cloud’s data is among its published aims; a municipality cannot be expected to litigate abroad over its residents’ data.',
    assessment: { method: 'examine', text: 'Examine the jurisdiction and dispute-resolution clauses of the contract and the incorporated terms.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-03',
    title: { en: 'Contracting party established in Japan', ja: '国内法人との契約' },
    statement: {
      en: 'The contracting party is a company registered in Japan that is itself bound by the contract’s obligations and has staff in Japan able to act on them.',
      ja: '契約の相手方は日本国内で登記された法人とし、当該法人自らが契約上の義務を負い、その履行にあたる職員を国内に置くこと。',
    },
    rationale:
      'Japanese jurisdiction (leg-01, leg-02) means little if the counterparty has no presence to be held to account here; joint proposals under the 2023 Government Cloud rules still name one responsible lead company.',
    assessment: { method: 'examine', text: 'Examine the commercial registration of the contracting party and the contract’s signatory; interview the named responsible persons.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-04',
    title: { en: 'Contract in Japanese', ja: '日本語の契約書' },
    statement: {
      en: 'The contract, the terms of service and the documents they incorporate are available in Japanese, and the Japanese text prevails where versions differ.',
      ja: '契約書、利用規約及びそれらが引用する文書を日本語で提供し、各言語版の間に相違がある場合は日本語版を優先すること。',
    },
    rationale: 'Municipal staff and councils must be able to read what binds them; a prevailing foreign-language text puts interpretation out of the municipality’s hands (ISMAP control standard 18.1.1, identification of applicable legislation and contractual requirements).',
    assessment: { method: 'examine', text: 'Examine the contract documents for a Japanese version of each and a clause making it prevail.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-05',
    title: { en: 'The municipality owns its data', ja: 'データの団体への帰属' },
    statement: {
      en: 'The contract states that the customer’s data, and data derived from it, belong to the customer; the provider uses them only to provide the service, and not for advertising, profiling or training models.',
      ja: '利用者データ及びそこから派生したデータは利用者に帰属することを契約で定め、事業者はこれらを本サービスの提供のためにのみ利用し、広告、プロファイリング又はモデルの学習に利用しないこと。',
    },
    rationale:
      'The Digital Agency’s guideline for public SaaS says the tenant owns and controls its data; ISO/IEC 27017 CLD.8.1.5 and ISMAP control standard 18.1 (compliance with legal and contractual requirements).',
    assessment: { method: 'examine', text: 'Examine the ownership and use-of-data clauses of the contract and the provider’s privacy terms; met when no clause permits a secondary use.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-06',
    title: { en: 'Foreign government requests', ja: '外国政府等からの開示要求への対応' },
    statement: {
      en: 'The provider tells the customer of any request by a foreign authority for the customer’s data unless a law forbids it, challenges requests that conflict with Japanese law, discloses only the minimum required, and publishes at least yearly how many such requests it received.',
      ja: '事業者は、外国の当局から利用者データの開示を求められた場合、法令で禁止されない限り利用者に通知し、日本法と抵触する要求には異議を申し立て、開示は必要最小限にとどめるとともに、受けた要求の件数を少なくとも年1回公表すること。',
    },
    rationale:
      'Data under Japanese jurisdiction is an aim of the Government Cloud; laws such as the US CLOUD Act can reach data held by a provider’s group wherever it is stored, so the contract must govern how the provider responds.',
    assessment: { method: 'examine', text: 'Examine the contract clause on government requests and the provider’s latest transparency report.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-07',
    title: { en: 'Domestic disclosure only by law', ja: '国内当局への開示の限定' },
    statement: {
      en: 'The provider discloses residents’ personal data to Japanese authorities only under a warrant or an explicit statutory duty, informs the municipality of each disclosure unless the law forbids it, and records it.',
      ja: '事業者は、住民の個人データを国内の当局に開示するのは令状又は法令上の明確な義務に基づく場合に限り、法令で禁止されない限り開示の都度団体に通知し、記録すること。',
    },
    rationale:
      'Under the Act on the Protection of Personal Information the municipality, not the entrusted provider, decides on provision to third parties; the provider must not be a side door around that decision.',
    assessment: { method: 'examine', text: 'Examine the disclosure procedure and its register, and the contract clause requiring notice to the municipality.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'leg-08',
    title: { en: 'No unilateral change to the customer’s detriment', ja: '利用者に不利な一方的変更の禁止' },
    statement: {
      en: 'The provider may change the terms, the service or its prices to the customer’s detriment only with at least 90 days’ written notice, and the customer may then end the contract without penalty.',
      ja: '事業者が利用者に不利となる規約、サービス内容又は価格の変更を行う場合は、少なくとも90日前に書面で通知し、利用者はこれを理由に違約金なく契約を解除できること。',
    },
    rationale:
      'Municipal budgets are set a year ahead by council; the Government Cloud’s cost aims fail if prices or terms can change within a budget year without a way out.',
    assessment: { method: 'examine', text: 'Examine the change clauses of the contract and the terms of service.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-09',
    title: { en: 'Sub-processors disclosed', ja: '再委託先の開示' },
    statement: {
      en: 'The provider publishes the list of sub-processors that may handle customer data, with their country and role, gives 30 days’ notice before adding one, and lets the customer object.',
      ja: '事業者は、利用者データを取り扱う可能性のある再委託先の一覧をその所在国及び役割とともに公表し、追加する場合は30日前までに通知し、利用者が異議を述べられるようにすること。',
    },
    rationale:
      'ISMAP control standard 15.1 (information security in supplier relationships) and ISO/IEC 27017 CLD.6.3.1 and 15.1.2; the 2023 LY leak passed through a contractor and systems shared with an affiliate.',
    assessment: { method: 'examine', text: 'Examine the published list against the provider’s supplier register and the notice history of the last additions.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-10',
    title: { en: 'Obligations flow down to sub-processors', ja: '再委託先への義務の承継' },
    statement: {
      en: 'Every sub-processor is bound in writing to obligations at least as strict as the provider’s towards the customer, and the provider remains liable to the customer for what its sub-processors do.',
      ja: 'すべての再委託先に対し、事業者が利用者に対して負う義務と同等以上の義務を書面で課し、再委託先の行為について事業者が利用者に対して責任を負うこと。',
    },
    rationale: 'ISMAP control standard 15.1.2 (addressing security within supplier agreements) and 15.1.3 (ICT supply chain).',
    assessment: { method: 'examine', text: 'Examine a sample of sub-processor agreements against the customer contract’s security and confidentiality clauses.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-11',
    title: { en: 'Re-entrustment of My Number work only with permission', ja: '特定個人情報の取扱いの再委託における許諾' },
    statement: {
      en: 'The provider entrusts any part of the handling of specific personal information to another party only with the municipality’s prior permission, and the same condition binds each further level of entrustment.',
      ja: '事業者は、特定個人情報の取扱いの全部又は一部を他者に再委託する場合、事前に団体の許諾を得ることとし、再々委託以降についても同様とすること。',
    },
    rationale: 'My Number Act Art. 10 (re-entrustment requires the permission of the entrusting party) and Art. 11 (supervision of entrusted parties).',
    assessment: { method: 'examine', text: 'Examine the contract clause and the register of permissions against the list of parties that handle My Number data.' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'leg-12',
    title: { en: 'Safety management measures of the My Number Act', ja: '番号法に基づく安全管理措置' },
    statement: {
      en: 'The contract obliges the provider to take the safety management measures the My Number Act and the PPC guidelines require of an entrusted party (organizational, human, physical and technical), to report on them when asked, and to accept the municipality’s supervision.',
      ja: '番号法及び個人情報保護委員会のガイドラインが委託先に求める安全管理措置（組織的・人的・物理的・技術的措置）を講じ、求めに応じて報告し、団体の監督を受けることを契約で事業者に義務付けること。',
    },
    rationale: 'My Number Act Art. 11 (the entrusting body must supervise its entrusted party) and Art. 12 (safety management measures), with the PPC guidelines for administrative bodies.',
    assessment: { method: 'examine', text: 'Examine the contract’s entrustment clauses and the provider’s latest report on its measures.' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'leg-13',
    title: { en: 'Support for the specific personal information protection assessment', ja: '特定個人情報保護評価への協力' },
    statement: {
      en: 'The provider supplies the information the municipality needs to carry out and update its specific personal information protection assessment, including data flows, storage locations and safeguards, within 30 days of a request.',
      ja: '事業者は、団体が特定個人情報保護評価を実施・見直しするために必要な情報（データの流れ、保存場所及び保護措置を含む）を、求めから30日以内に提供すること。',
    },
    rationale: 'My Number Act Art. 28 (specific personal information protection assessment) obliges the municipality, which cannot do it without its provider’s facts.',
    assessment: { method: 'examine', text: 'Examine the contract clause and the material the provider gave for the municipality’s latest assessment.' },
    dataClasses: MY_NUMBER,
  },
  {
    id: 'leg-14',
    title: { en: 'Handling of personal information as an entrusted party', ja: '委託先としての個人情報の取扱い' },
    statement: {
      en: 'The provider handles personal information only as the municipality’s entrusted party under the Act on the Protection of Personal Information: within the scope of the entrustment, never providing it to a third party, and returning or deleting it when the entrustment ends.',
      ja: '事業者は、個人情報の保護に関する法律上の団体の委託先としてのみ個人情報を取り扱い、委託の範囲を超えて利用せず、第三者に提供せず、委託終了時には返却又は削除すること。',
    },
    rationale:
      'Since April 2023 municipalities are under the Act on the Protection of Personal Information directly (Art. 66 obliges entrusted parties to the same safety measures as the body itself).',
    assessment: { method: 'examine', text: 'Examine the entrustment clauses of the contract.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'leg-15',
    title: { en: 'Breach notification in the contract', ja: '漏えい等の通知義務の契約上の明記' },
    statement: {
      en: 'The contract obliges the provider to notify the municipality of a leak, loss or damage of personal data, or a suspicion of one, without delay and at latest within 24 hours of becoming aware, and to supply what the municipality needs for its reports to the Personal Information Protection Commission.',
      ja: '個人データの漏えい、滅失若しくは毀損又はそのおそれを認識した場合、遅滞なく、遅くとも認識から24時間以内に団体へ通知し、個人情報保護委員会への報告に必要な情報を提供する義務を契約で事業者に課すこと。',
    },
    rationale:
      'The Act on the Protection of Personal Information (Art. 68) makes the municipality report qualifying breaches to the PPC and inform the people affected; the preliminary report is due within days, so the provider’s notice must come sooner.',
    assessment: { method: 'examine', text: 'Examine the notification clause; in an exercise, time the provider’s notice from the simulated detection.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'leg-16',
    title: { en: 'Inspections by the PPC accepted', ja: '個人情報保護委員会による検査の受入れ' },
    statement: {
      en: 'The provider accepts requests for reports and on-site inspections by the Personal Information Protection Commission concerning the municipality’s data and cooperates with them.',
      ja: '事業者は、団体のデータに関する個人情報保護委員会からの報告要求及び立入検査を受け入れ、これに協力すること。',
    },
    rationale: 'The PPC’s powers of report and inspection under the My Number Act (Art. 35) and the Act on the Protection of Personal Information extend to entrusted parties.',
    assessment: { method: 'examine', text: 'Examine the contract clause on regulators’ inspections.' },
    dataClasses: PERSONAL,
  },
  {
    id: 'leg-17',
    title: { en: 'Right to audit', ja: '監査の権利' },
    statement: {
      en: 'The customer, or an auditor it appoints, may audit the provider’s controls for the service; the provider gives the customer its ISMAP audit results and other third-party assurance reports on request, without charge.',
      ja: '利用者又は利用者が指名する監査人は本サービスに係る事業者の管理策を監査できることとし、事業者は求めに応じてISMAPの監査結果その他の第三者保証報告書を無償で提供すること。',
    },
    rationale:
      'ISMAP’s registration rests on an approved auditor’s work; ISO/IEC 27017 18.2.1 (independent review) expects providers to give customers evidence of their controls, and the My Number Act expects the entrusting body to supervise.',
    assessment: { method: 'examine', text: 'Examine the audit clause and request the latest reports; met when they are provided.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-18',
    title: { en: 'Termination if certification lapses', ja: '認証失効時の解約権' },
    statement: {
      en: 'The customer may end the contract without penalty if the service’s ISMAP registration lapses or is revoked, or the provider stops meeting the Government Cloud’s requirements.',
      ja: '本サービスのISMAP登録が失効若しくは取り消された場合、又は事業者がガバメントクラウドの要件を満たさなくなった場合、利用者は違約金なく契約を解除できること。',
    },
    rationale:
      'Only ISMAP-registered services may be bought by government, and registration lasts a limited time (until one year and four months after the audited period) unless renewed.',
    assessment: { method: 'examine', text: 'Examine the termination clauses of the contract.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-19',
    title: { en: 'Confidentiality beyond the contract', ja: '契約終了後も存続する秘密保持' },
    statement: {
      en: 'The provider and every person working for it on the service are bound to confidentiality about customer data, and that duty survives the end of the contract and of their employment.',
      ja: '事業者及び本サービスに従事するすべての者は利用者データについて秘密保持義務を負い、その義務は契約及び雇用の終了後も存続すること。',
    },
    rationale: 'ISMAP control standard 13.2.4 (confidentiality or non-disclosure agreements) and 7.3.1 (termination or change of employment responsibilities).',
    assessment: { method: 'examine', text: 'Examine the contract clause and a sample of staff confidentiality undertakings.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-20',
    title: { en: 'Liability for data incidents not excluded', ja: 'データ事故に関する責任の免除の禁止' },
    statement: {
      en: 'The contract does not exclude the provider’s liability for loss, leakage or damage of customer data caused by its fault, and any cap on that liability is stated as an amount in the contract.',
      ja: '事業者の責めに帰すべき事由による利用者データの滅失、漏えい又は毀損について、契約で事業者の責任を免除せず、責任に上限を設ける場合はその金額を契約に明記すること。',
    },
    rationale: 'Standard cloud terms often exclude liability for data loss; a municipality answerable to its residents needs recourse proportionate to the harm (ISMAP control standard 18.1.1).',
    assessment: { method: 'examine', text: 'Examine the limitation-of-liability clauses.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-21',
    title: { en: 'Published price list', ja: '価格表の公開' },
    statement: {
      en: 'The provider publishes a detailed price list for every chargeable item of the service, data transfer and data export included, so that a municipality can compute its bill in advance.',
      ja: '事業者は、データ転送及びデータの出力を含む本サービスの課金対象となるすべての項目について詳細な価格表を公開し、団体が事前に料金を算出できるようにすること。',
    },
    rationale:
      'The Digital Agency’s guideline for public SaaS requires a published detailed price list; the Government Cloud aims to cut running costs by 30% from FY2018, which is unmeasurable without prices.',
    assessment: { method: 'examine', text: 'Examine the published price list against the service’s billing items; met when every billed item is priced.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-22',
    title: { en: 'No exit penalties', ja: '退出時の違約金等の禁止' },
    statement: {
      en: 'Leaving the service costs no more than the published price of the data export it needs: there are no exit fees, minimum terms beyond one budget year, or exclusivity clauses.',
      ja: '本サービスからの退出に要する費用は、必要なデータ出力の公表価格を上限とし、解約金、1会計年度を超える最低利用期間及び排他条項を設けないこと。',
    },
    rationale:
      'Lock-in avoidance is a founding aim of the Government Cloud: the Fair Trade Commission found in 2022 that 98.9% of agencies depended on their incumbent vendor.',
    assessment: { method: 'examine', text: 'Examine the term, termination and fee clauses.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-23',
    title: { en: 'Exit assistance period', ja: '退出支援期間' },
    statement: {
      en: 'After the contract ends the provider keeps the customer’s data available for export for at least 90 days, assists the migration to a successor, and deletes the data only after the customer confirms or the period ends.',
      ja: '契約終了後少なくとも90日間は利用者データを出力可能な状態で保持し、後継事業者への移行を支援し、利用者の確認を得た後又は当該期間の経過後にのみデータを削除すること。',
    },
    rationale:
      'ISO/IEC 27017 CLD.8.1.5 (removal of cloud service customer assets) and the public SaaS guideline that data can be migrated in and out; a contract that ends before the data is out forces a municipality to stay.',
    assessment: { method: 'examine', text: 'Examine the exit clauses and, where the provider has had a departing customer, the record of that exit.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-24',
    title: { en: 'Rights to configurations and customizations', ja: '設定・カスタマイズの利用権' },
    statement: {
      en: 'The customer may use, and hand to a successor provider, every configuration, mapping and customization made for it, together with their documentation.',
      ja: '利用者のために作成されたすべての設定、対応表及びカスタマイズ並びにその文書を、利用者が利用し、後継事業者に引き渡すことができること。',
    },
    rationale:
      'Lock-in avoidance is an aim of the Government Cloud: in the 2022 Fair Trade Commission survey 48.3% of dependent agencies stayed because only the incumbent could change the system, and rights to the configuration remove that reason.',
    assessment: { method: 'examine', text: 'Examine the intellectual property clauses of the contract.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-25',
    title: { en: 'Exclusion of anti-social forces', ja: '反社会的勢力の排除' },
    statement: {
      en: 'The contract contains a representation that neither the provider, its officers nor its sub-processors are anti-social forces, and a right to terminate at once if that proves untrue.',
      ja: '事業者、その役員及び再委託先が反社会的勢力に該当しないことの表明保証と、それに反した場合の即時解除権を契約に定めること。',
    },
    rationale: 'Prefectures’ and municipalities’ ordinances on eliminating organized crime, and the national government’s 2007 guideline for companies on preventing harm from anti-social forces, make this clause standard in every public contract.',
    assessment: { method: 'examine', text: 'Examine the contract for the representation and the termination right.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-26',
    title: { en: 'Service levels in the contract', ja: 'サービスレベルの契約への明記' },
    statement: {
      en: 'The contract states the service levels (availability, support response times, recovery objectives) with how each is measured and the service credits due when one is missed.',
      ja: 'サービスレベル（可用性、サポートの応答時間、復旧目標）を、その測定方法及び未達時のサービスクレジットとともに契約に定めること。',
    },
    rationale: 'ISMAP control standard 15.2 (supplier service delivery management); a target without a measure or a consequence cannot be assessed.',
    assessment: { method: 'examine', text: 'Examine the service level schedule for a measure and a remedy per level.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-27',
    title: { en: 'Records for disclosure requests and litigation', ja: '情報公開請求・訴訟への記録提出' },
    statement: {
      en: 'The provider produces, within the time the customer’s rules allow, the records the customer needs to answer a freedom-of-information request, a resident’s request for disclosure or a court order, and suspends deletion of records placed under a legal hold.',
      ja: '事業者は、利用者が情報公開請求、住民からの開示請求又は裁判所の命令に応じるために必要な記録を、利用者の規程が定める期限内に提出し、訴訟等のため保全対象とされた記録の削除を停止すること。',
    },
    rationale:
      'Municipalities answer information disclosure requests under their ordinances and residents’ disclosure requests under the Act on the Protection of Personal Information within statutory periods; records held by the provider are still the municipality’s records.',
    assessment: { method: 'examine', text: 'Examine the contract clause and procedure, and test a legal hold on a sample of records against the deletion job.' },
    dataClasses: ALL,
  },
  {
    id: 'leg-28',
    title: { en: 'Conformance to the standard specifications', ja: '標準仕様への適合' },
    statement: {
      en: 'Systems for the standardized operations provided on the service conform to the standard specifications in force under the Act on the Standardization of Local Government Information Systems, and the provider states which version each conforms to.',
      ja: '本サービス上で提供する標準化対象事務のシステムは、地方公共団体情報システムの標準化に関する法律に基づき定められた標準仕様のうち現に効力を有するものに適合し、事業者は各システムが適合する版を明示すること。',
    },
    rationale:
      'The 2021 Standardization Act obliges municipalities to run the 20 core operations on standard-conformant systems on the Government Cloud.',
    assessment: { method: 'examine', text: 'Examine the conformance statement per operation against the current version of each standard specification.' },
    dataClasses: ALL,
  },
];
