/**
 * Old and variant kanji forms (旧字体・異体字) folded to the common modern form,
 * for searching names and addresses. Data only; used by ./search-folding.ts.
 *
 * Each entry is [modern form, its variants]. The variants are read code point
 * by code point (some are outside the BMP, e.g. 𠮷). Written by hand for this
 * project from these public lists:
 *
 * 1. 常用漢字表 (平成22年内閣告示第2号), the forms given in parentheses after a
 *    character (the 康熙字典体 "traditionally printed" forms), e.g. 沢（澤）.
 * 2. 戸籍法施行規則 別表第二 (人名用漢字), table (二): the variants of 常用漢字
 *    allowed in given names, e.g. 薗 (園), 冨 (富), 嶋 (島), 峯 (峰); and the
 *    pairs inside table (一) that are variants of each other, e.g. 亙・亘, 凜・凛.
 * 3. JIS X 0208 / JIS X 0213 characters that are variants of another encoded
 *    character and are common in surnames (e.g. 髙, 﨑, 邉, 濵, 𠮷, 舘, 桒), and
 *    old glyph shapes (旧字形) that Unicode encodes separately (內, 戶, 靑, 說).
 *
 * What is deliberately NOT here:
 * - CJK compatibility ideographs that NFKC already maps to their unified form
 *   (海 U+FA45 → 海, 都 U+FA26 → 都, 神 U+FA19 → 神, 祐 → 祐, 塚 → 塚):
 *   folding applies NFKC first, so they could never be looked up. The twelve
 *   "unified" code points of that block that NFKC leaves alone are handled
 *   here (﨑 U+FA11 → 崎, 﨔 U+FA14 → 欅).
 * - Glyph variants of one code point (辻 with one or two dots, 葛, 飯): they
 *   differ only by an ideographic variation selector, which folding strips.
 * - Distinct characters that only look or sound alike (坂・阪, 庄・荘, 柴・芝,
 *   埼・崎, 藤, 彅): both are in use as different names.
 *
 * Choices where two forms are both current: the more common form in names is
 * the target (淵 → 渕, 藪 → 薮, 檜 → 桧, 凜 → 凛, 篭 → 籠 since 籠 is the
 * 常用漢字 and 篭 its popular variant). 斉 and 斎 are different characters,
 * but as surnames (斉藤・斎藤・齊藤・齋藤, all さいとう) they are confused
 * constantly, so all four fold to 斎; search then shows both families, which
 * is what a counter clerk needs. 龍 folds to 竜 (竜（龍） in the 常用漢字表).
 *
 * Invariants (tested): every key and value is one code point, outside the
 * private-use areas, unchanged by NFKC; no value is itself a key (so folding
 * is idempotent); no key appears twice.
 */

type Group = readonly [modern: string, variants: string];

/** 1. 常用漢字表: the parenthesized 康熙字典体 that survive NFKC. */
const JOYO: readonly Group[] = [
  ['亜', '亞'], ['悪', '惡'], ['圧', '壓'], ['囲', '圍'], ['為', '爲'], ['医', '醫'], ['壱', '壹'], ['稲', '稻'],
  ['飲', '飮'], ['隠', '隱'], ['営', '營'], ['栄', '榮'], ['衛', '衞'], ['駅', '驛'], ['円', '圓'], ['塩', '鹽'],
  ['縁', '緣'], ['艶', '艷豔'], ['応', '應'], ['欧', '歐'], ['殴', '毆'], ['桜', '櫻'], ['奥', '奧'], ['横', '橫'],
  ['温', '溫'], ['穏', '穩'], ['仮', '假'], ['価', '價'], ['画', '畫'], ['会', '會'], ['絵', '繪'], ['壊', '壞'],
  ['懐', '懷'], ['概', '槪'], ['拡', '擴'], ['殻', '殼'], ['覚', '覺'], ['学', '學'], ['岳', '嶽'], ['楽', '樂'],
  ['渇', '渴'], ['缶', '罐'], ['巻', '卷'], ['陥', '陷'], ['勧', '勸'], ['寛', '寬'], ['関', '關'], ['歓', '歡'],
  ['観', '觀'], ['気', '氣'], ['帰', '歸'], ['亀', '龜'], ['偽', '僞'], ['戯', '戲'], ['犠', '犧'], ['旧', '舊'],
  ['拠', '據'], ['挙', '擧'], ['虚', '虛'], ['峡', '峽'], ['挟', '挾'], ['狭', '狹'], ['郷', '鄕鄉'], ['暁', '曉'],
  ['区', '區'], ['駆', '驅駈'], ['勲', '勳勛'], ['薫', '薰'], ['径', '徑'], ['茎', '莖'], ['恵', '惠'], ['掲', '揭'],
  ['渓', '溪'], ['経', '經'], ['蛍', '螢'], ['軽', '輕'], ['継', '繼'], ['鶏', '鷄雞'], ['芸', '藝'], ['撃', '擊'],
  ['欠', '缺'], ['研', '硏'], ['県', '縣'], ['倹', '儉'], ['剣', '劍'], ['険', '險'], ['圏', '圈'], ['検', '檢'],
  ['献', '獻'], ['権', '權'], ['顕', '顯'], ['験', '驗'], ['厳', '嚴'], ['広', '廣'], ['効', '效'], ['恒', '恆'],
  ['黄', '黃'], ['鉱', '鑛'], ['号', '號'], ['国', '國圀'], ['黒', '黑'], ['砕', '碎'], ['済', '濟'], ['斎', '齋齊斉'],
  ['剤', '劑'], ['雑', '雜'], ['参', '參'], ['桟', '棧'], ['蚕', '蠶'], ['惨', '慘'], ['賛', '贊'], ['残', '殘'],
  ['糸', '絲'], ['歯', '齒'], ['児', '兒'], ['辞', '辭'], ['湿', '濕'], ['実', '實'], ['写', '寫'], ['釈', '釋'],
  ['寿', '壽'], ['収', '收'], ['従', '從'], ['渋', '澁澀'], ['獣', '獸'], ['縦', '縱'], ['粛', '肅'], ['処', '處'],
  ['緒', '緖'], ['叙', '敍敘'], ['将', '將'], ['称', '稱'], ['渉', '涉'], ['焼', '燒'], ['証', '證'], ['奨', '奬獎'],
  ['条', '條'], ['状', '狀'], ['乗', '乘'], ['浄', '淨'], ['剰', '剩'], ['畳', '疊'], ['縄', '繩'], ['壌', '壤'],
  ['嬢', '孃'], ['譲', '讓'], ['醸', '釀'], ['触', '觸'], ['嘱', '囑'], ['真', '眞'], ['寝', '寢'], ['慎', '愼'],
  ['尽', '盡'], ['図', '圖'], ['粋', '粹'], ['酔', '醉'], ['穂', '穗'], ['随', '隨'], ['髄', '髓'], ['枢', '樞'],
  ['数', '數'], ['瀬', '瀨'], ['声', '聲'], ['静', '靜'], ['窃', '竊'], ['摂', '攝'], ['専', '專'], ['浅', '淺'],
  ['戦', '戰'], ['践', '踐'], ['銭', '錢'], ['潜', '潛'], ['繊', '纖'], ['禅', '禪'], ['双', '雙'], ['壮', '壯'],
  ['争', '爭'], ['荘', '莊'], ['捜', '搜'], ['挿', '插'], ['巣', '巢'], ['曽', '曾'], ['痩', '瘦'], ['装', '裝'],
  ['総', '總'], ['騒', '騷'], ['増', '增'], ['蔵', '藏'], ['臓', '臟'], ['即', '卽'], ['属', '屬'], ['続', '續'],
  ['堕', '墮'], ['対', '對'], ['体', '體'], ['帯', '帶'], ['滞', '滯'], ['台', '臺'], ['滝', '瀧'], ['択', '擇'],
  ['沢', '澤'], ['担', '擔'], ['単', '單'], ['胆', '膽'], ['団', '團'], ['断', '斷'], ['弾', '彈'], ['遅', '遲'],
  ['痴', '癡'], ['虫', '蟲'], ['昼', '晝'], ['鋳', '鑄'], ['庁', '廳'], ['徴', '徵'], ['聴', '聽'], ['勅', '敕'],
  ['鎮', '鎭'], ['逓', '遞'], ['鉄', '鐵銕鉃'], ['点', '點'], ['転', '轉'], ['伝', '傳'], ['灯', '燈'], ['当', '當'],
  ['党', '黨'], ['盗', '盜'], ['闘', '鬭鬪'], ['徳', '德'], ['独', '獨'], ['読', '讀'], ['届', '屆'], ['弐', '貳'],
  ['悩', '惱'], ['脳', '腦'], ['覇', '霸'], ['廃', '廢'], ['拝', '拜'], ['売', '賣'], ['麦', '麥'], ['発', '發'],
  ['髪', '髮'], ['抜', '拔'], ['晩', '晚'], ['蛮', '蠻'], ['秘', '祕'], ['浜', '濱濵'], ['瓶', '甁'], ['払', '拂'],
  ['仏', '佛'], ['併', '倂'], ['並', '竝'], ['餅', '餠'], ['辺', '邊邉'], ['変', '變'], ['弁', '辨瓣辯'], ['歩', '步'],
  ['宝', '寶寳'], ['豊', '豐'], ['褒', '襃'], ['翻', '飜'], ['毎', '每'], ['万', '萬'], ['満', '滿'], ['麺', '麵'],
  ['黙', '默'], ['弥', '彌'], ['訳', '譯'], ['薬', '藥'], ['与', '與'], ['予', '豫'], ['余', '餘'], ['誉', '譽'],
  ['揺', '搖'], ['様', '樣'], ['謡', '謠'], ['来', '來'], ['頼', '賴'], ['乱', '亂'], ['覧', '覽'], ['竜', '龍'],
  ['両', '兩'], ['猟', '獵'], ['緑', '綠'], ['涙', '淚'], ['塁', '壘'], ['礼', '禮'], ['励', '勵'], ['戻', '戾'],
  ['霊', '靈'], ['齢', '齡'], ['暦', '曆'], ['歴', '歷'], ['恋', '戀'], ['錬', '鍊'], ['炉', '爐'], ['労', '勞'],
  ['郎', '郞'], ['楼', '樓'], ['録', '錄'], ['湾', '灣'], ['既', '旣'],
];

/** 2. 人名用漢字: variants of 常用漢字 in table (二), and variant pairs within table (一). */
const JINMEIYO: readonly Group[] = [
  ['園', '薗'], ['島', '嶋嶌㠀'], ['杯', '盃'], ['富', '冨'], ['峰', '峯'], ['野', '埜'], ['涼', '凉'],
  ['亘', '亙'], ['凛', '凜'], ['尭', '堯'], ['巌', '巖'], ['晃', '晄'], ['桧', '檜'], ['槙', '槇'], ['祢', '禰'],
  ['禄', '祿'], ['穣', '穰'], ['萌', '萠'], ['遥', '遙'], ['瑶', '瑤'], ['聡', '聰'], ['熙', '煕'], ['皐', '皋'],
];

/** 3. Variants common in surnames and given names (JIS X 0208/0213), and separately encoded old glyph shapes. */
const NAMES: readonly Group[] = [
  ['高', '髙'], ['崎', '﨑嵜碕'], ['吉', '𠮷'], ['土', '𡈽'], ['橋', '槗𣘺'], ['館', '舘'], ['桑', '桒'], ['柳', '栁'],
  ['秋', '穐'], ['松', '枩柗'], ['杉', '杦'], ['村', '邨'], ['昇', '曻'], ['昂', '昻'], ['船', '舩'], ['渕', '淵渊'],
  ['籠', '篭'], ['鶴', '靏鸖'], ['薮', '藪'], ['芦', '蘆'], ['鴎', '鷗'], ['莱', '萊'], ['達', '逹'], ['博', '愽'],
  ['欅', '﨔'], ['強', '强'], ['群', '羣'], ['晋', '晉'],
  // 旧字形 encoded apart from the modern shape.
  ['内', '內'], ['戸', '戶'], ['青', '靑'], ['清', '淸'], ['呉', '吳'], ['教', '敎'], ['説', '說'], ['税', '稅'],
  ['鋭', '銳'], ['悦', '悅'], ['閲', '閱'], ['値', '值'], ['姫', '姬'], ['彦', '彥'], ['顔', '顏'], ['尚', '尙'],
];

export const KANJI_VARIANT_GROUPS: readonly Group[] = [...JOYO, ...JINMEIYO, ...NAMES];

/** Variant → modern form, one code point each. */
export const KANJI_VARIANTS: ReadonlyMap<string, string> = new Map(
  KANJI_VARIANT_GROUPS.flatMap(([modern, variants]) => Array.from(variants, (v) => [v, modern] as const)),
);
