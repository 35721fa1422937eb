//! Countries and regions (ISO 3166-1, all 249 alpha-3 codes) with their
//! zh and en names and the continent the legal-representative form files
//! them under. Continents follow the UN M49 regions, with the Caribbean and
//! Central America in North America, and Cyprus, Türkiye and the Caucasus in
//! Asia; Antarctica, which belongs to none, is its own.

use serde::{Deserialize, Serialize};

/// A continent as the form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Continent {
    Asia,
    Europe,
    Africa,
    NorthAmerica,
    SouthAmerica,
    Oceania,
    Antarctica,
}

impl Continent {
    pub const ALL: [Continent; 7] = [
        Continent::Asia,
        Continent::Europe,
        Continent::Africa,
        Continent::NorthAmerica,
        Continent::SouthAmerica,
        Continent::Oceania,
        Continent::Antarctica,
    ];

    /// The snake_case name used in the API (`north_america`).
    pub fn code(self) -> &'static str {
        match self {
            Continent::Asia => "asia",
            Continent::Europe => "europe",
            Continent::Africa => "africa",
            Continent::NorthAmerica => "north_america",
            Continent::SouthAmerica => "south_america",
            Continent::Oceania => "oceania",
            Continent::Antarctica => "antarctica",
        }
    }

    pub fn from_code(code: &str) -> Option<Continent> {
        let code = super::normalize_input(code).to_ascii_lowercase();
        Continent::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Continent::Asia => "亚洲",
            Continent::Europe => "欧洲",
            Continent::Africa => "非洲",
            Continent::NorthAmerica => "北美洲",
            Continent::SouthAmerica => "南美洲",
            Continent::Oceania => "大洋洲",
            Continent::Antarctica => "南极洲",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Continent::Asia => "Asia",
            Continent::Europe => "Europe",
            Continent::Africa => "Africa",
            Continent::NorthAmerica => "North America",
            Continent::SouthAmerica => "South America",
            Continent::Oceania => "Oceania",
            Continent::Antarctica => "Antarctica",
        }
    }
}

/// One ISO 3166-1 entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3, uppercase (`DEU`).
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub continent: Continent,
}

impl Country {
    /// China's mainland (`CHN`) and its regions Hong Kong, Macao and Taiwan:
    /// these have their own legal-representative types, never `other`.
    pub fn is_china_or_region(&self) -> bool {
        matches!(self.code, "CHN" | "HKG" | "MAC" | "TWN")
    }
}

/// Looks a country up by alpha-3 code, ignoring case, full width and
/// surrounding spaces.
pub fn country(code: &str) -> Option<&'static Country> {
    let code = super::normalize_input(code).to_ascii_uppercase();
    COUNTRIES
        .binary_search_by(|c| c.code.cmp(code.as_str()))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// The countries of one continent, in code order.
pub fn countries_in(continent: Continent) -> impl Iterator<Item = &'static Country> {
    COUNTRIES.iter().filter(move |c| c.continent == continent)
}

const fn c(code: &'static str, zh: &'static str, en: &'static str, continent: Continent) -> Country {
    Country {
        code,
        zh,
        en,
        continent,
    }
}

use Continent::*;

/// All ISO 3166-1 entries, sorted by code (lookups binary-search it).
pub static COUNTRIES: &[Country] = &[
    c("ABW", "阿鲁巴", "Aruba", NorthAmerica),
    c("AFG", "阿富汗", "Afghanistan", Asia),
    c("AGO", "安哥拉", "Angola", Africa),
    c("AIA", "安圭拉", "Anguilla", NorthAmerica),
    c("ALA", "奥兰群岛", "Åland Islands", Europe),
    c("ALB", "阿尔巴尼亚", "Albania", Europe),
    c("AND", "安道尔", "Andorra", Europe),
    c("ARE", "阿拉伯联合酋长国", "United Arab Emirates", Asia),
    c("ARG", "阿根廷", "Argentina", SouthAmerica),
    c("ARM", "亚美尼亚", "Armenia", Asia),
    c("ASM", "美属萨摩亚", "American Samoa", Oceania),
    c("ATA", "南极洲", "Antarctica", Antarctica),
    c("ATF", "法属南部领地", "French Southern Territories", Africa),
    c("ATG", "安提瓜和巴布达", "Antigua and Barbuda", NorthAmerica),
    c("AUS", "澳大利亚", "Australia", Oceania),
    c("AUT", "奥地利", "Austria", Europe),
    c("AZE", "阿塞拜疆", "Azerbaijan", Asia),
    c("BDI", "布隆迪", "Burundi", Africa),
    c("BEL", "比利时", "Belgium", Europe),
    c("BEN", "贝宁", "Benin", Africa),
    c("BES", "荷兰加勒比区", "Bonaire, Sint Eustatius and Saba", NorthAmerica),
    c("BFA", "布基纳法索", "Burkina Faso", Africa),
    c("BGD", "孟加拉国", "Bangladesh", Asia),
    c("BGR", "保加利亚", "Bulgaria", Europe),
    c("BHR", "巴林", "Bahrain", Asia),
    c("BHS", "巴哈马", "Bahamas", NorthAmerica),
    c("BIH", "波斯尼亚和黑塞哥维那", "Bosnia and Herzegovina", Europe),
    c("BLM", "圣巴泰勒米", "Saint Barthélemy", NorthAmerica),
    c("BLR", "白俄罗斯", "Belarus", Europe),
    c("BLZ", "伯利兹", "Belize", NorthAmerica),
    c("BMU", "百慕大", "Bermuda", NorthAmerica),
    c("BOL", "玻利维亚", "Bolivia", SouthAmerica),
    c("BRA", "巴西", "Brazil", SouthAmerica),
    c("BRB", "巴巴多斯", "Barbados", NorthAmerica),
    c("BRN", "文莱", "Brunei Darussalam", Asia),
    c("BTN", "不丹", "Bhutan", Asia),
    c("BVT", "布韦岛", "Bouvet Island", SouthAmerica),
    c("BWA", "博茨瓦纳", "Botswana", Africa),
    c("CAF", "中非", "Central African Republic", Africa),
    c("CAN", "加拿大", "Canada", NorthAmerica),
    c("CCK", "科科斯（基林）群岛", "Cocos (Keeling) Islands", Oceania),
    c("CHE", "瑞士", "Switzerland", Europe),
    c("CHL", "智利", "Chile", SouthAmerica),
    c("CHN", "中国", "China", Asia),
    c("CIV", "科特迪瓦", "Côte d'Ivoire", Africa),
    c("CMR", "喀麦隆", "Cameroon", Africa),
    c("COD", "刚果（金）", "Congo (Democratic Republic)", Africa),
    c("COG", "刚果（布）", "Congo", Africa),
    c("COK", "库克群岛", "Cook Islands", Oceania),
    c("COL", "哥伦比亚", "Colombia", SouthAmerica),
    c("COM", "科摩罗", "Comoros", Africa),
    c("CPV", "佛得角", "Cabo Verde", Africa),
    c("CRI", "哥斯达黎加", "Costa Rica", NorthAmerica),
    c("CUB", "古巴", "Cuba", NorthAmerica),
    c("CUW", "库拉索", "Curaçao", NorthAmerica),
    c("CXR", "圣诞岛", "Christmas Island", Oceania),
    c("CYM", "开曼群岛", "Cayman Islands", NorthAmerica),
    c("CYP", "塞浦路斯", "Cyprus", Asia),
    c("CZE", "捷克", "Czechia", Europe),
    c("DEU", "德国", "Germany", Europe),
    c("DJI", "吉布提", "Djibouti", Africa),
    c("DMA", "多米尼克", "Dominica", NorthAmerica),
    c("DNK", "丹麦", "Denmark", Europe),
    c("DOM", "多米尼加", "Dominican Republic", NorthAmerica),
    c("DZA", "阿尔及利亚", "Algeria", Africa),
    c("ECU", "厄瓜多尔", "Ecuador", SouthAmerica),
    c("EGY", "埃及", "Egypt", Africa),
    c("ERI", "厄立特里亚", "Eritrea", Africa),
    c("ESH", "西撒哈拉", "Western Sahara", Africa),
    c("ESP", "西班牙", "Spain", Europe),
    c("EST", "爱沙尼亚", "Estonia", Europe),
    c("ETH", "埃塞俄比亚", "Ethiopia", Africa),
    c("FIN", "芬兰", "Finland", Europe),
    c("FJI", "斐济", "Fiji", Oceania),
    c(
        "FLK",
        "福克兰群岛（马尔维纳斯）",
        "Falkland Islands (Malvinas)",
        SouthAmerica,
    ),
    c("FRA", "法国", "France", Europe),
    c("FRO", "法罗群岛", "Faroe Islands", Europe),
    c("FSM", "密克罗尼西亚联邦", "Micronesia (Federated States of)", Oceania),
    c("GAB", "加蓬", "Gabon", Africa),
    c("GBR", "英国", "United Kingdom", Europe),
    c("GEO", "格鲁吉亚", "Georgia", Asia),
    c("GGY", "根西", "Guernsey", Europe),
    c("GHA", "加纳", "Ghana", Africa),
    c("GIB", "直布罗陀", "Gibraltar", Europe),
    c("GIN", "几内亚", "Guinea", Africa),
    c("GLP", "瓜德罗普", "Guadeloupe", NorthAmerica),
    c("GMB", "冈比亚", "Gambia", Africa),
    c("GNB", "几内亚比绍", "Guinea-Bissau", Africa),
    c("GNQ", "赤道几内亚", "Equatorial Guinea", Africa),
    c("GRC", "希腊", "Greece", Europe),
    c("GRD", "格林纳达", "Grenada", NorthAmerica),
    c("GRL", "格陵兰", "Greenland", NorthAmerica),
    c("GTM", "危地马拉", "Guatemala", NorthAmerica),
    c("GUF", "法属圭亚那", "French Guiana", SouthAmerica),
    c("GUM", "关岛", "Guam", Oceania),
    c("GUY", "圭亚那", "Guyana", SouthAmerica),
    c("HKG", "中国香港", "Hong Kong, China", Asia),
    c(
        "HMD",
        "赫德岛和麦克唐纳群岛",
        "Heard Island and McDonald Islands",
        Oceania,
    ),
    c("HND", "洪都拉斯", "Honduras", NorthAmerica),
    c("HRV", "克罗地亚", "Croatia", Europe),
    c("HTI", "海地", "Haiti", NorthAmerica),
    c("HUN", "匈牙利", "Hungary", Europe),
    c("IDN", "印度尼西亚", "Indonesia", Asia),
    c("IMN", "马恩岛", "Isle of Man", Europe),
    c("IND", "印度", "India", Asia),
    c("IOT", "英属印度洋领地", "British Indian Ocean Territory", Africa),
    c("IRL", "爱尔兰", "Ireland", Europe),
    c("IRN", "伊朗", "Iran", Asia),
    c("IRQ", "伊拉克", "Iraq", Asia),
    c("ISL", "冰岛", "Iceland", Europe),
    c("ISR", "以色列", "Israel", Asia),
    c("ITA", "意大利", "Italy", Europe),
    c("JAM", "牙买加", "Jamaica", NorthAmerica),
    c("JEY", "泽西", "Jersey", Europe),
    c("JOR", "约旦", "Jordan", Asia),
    c("JPN", "日本", "Japan", Asia),
    c("KAZ", "哈萨克斯坦", "Kazakhstan", Asia),
    c("KEN", "肯尼亚", "Kenya", Africa),
    c("KGZ", "吉尔吉斯斯坦", "Kyrgyzstan", Asia),
    c("KHM", "柬埔寨", "Cambodia", Asia),
    c("KIR", "基里巴斯", "Kiribati", Oceania),
    c("KNA", "圣基茨和尼维斯", "Saint Kitts and Nevis", NorthAmerica),
    c("KOR", "韩国", "Republic of Korea", Asia),
    c("KWT", "科威特", "Kuwait", Asia),
    c("LAO", "老挝", "Lao People's Democratic Republic", Asia),
    c("LBN", "黎巴嫩", "Lebanon", Asia),
    c("LBR", "利比里亚", "Liberia", Africa),
    c("LBY", "利比亚", "Libya", Africa),
    c("LCA", "圣卢西亚", "Saint Lucia", NorthAmerica),
    c("LIE", "列支敦士登", "Liechtenstein", Europe),
    c("LKA", "斯里兰卡", "Sri Lanka", Asia),
    c("LSO", "莱索托", "Lesotho", Africa),
    c("LTU", "立陶宛", "Lithuania", Europe),
    c("LUX", "卢森堡", "Luxembourg", Europe),
    c("LVA", "拉脱维亚", "Latvia", Europe),
    c("MAC", "中国澳门", "Macao, China", Asia),
    c("MAF", "法属圣马丁", "Saint Martin (French part)", NorthAmerica),
    c("MAR", "摩洛哥", "Morocco", Africa),
    c("MCO", "摩纳哥", "Monaco", Europe),
    c("MDA", "摩尔多瓦", "Moldova", Europe),
    c("MDG", "马达加斯加", "Madagascar", Africa),
    c("MDV", "马尔代夫", "Maldives", Asia),
    c("MEX", "墨西哥", "Mexico", NorthAmerica),
    c("MHL", "马绍尔群岛", "Marshall Islands", Oceania),
    c("MKD", "北马其顿", "North Macedonia", Europe),
    c("MLI", "马里", "Mali", Africa),
    c("MLT", "马耳他", "Malta", Europe),
    c("MMR", "缅甸", "Myanmar", Asia),
    c("MNE", "黑山", "Montenegro", Europe),
    c("MNG", "蒙古", "Mongolia", Asia),
    c("MNP", "北马里亚纳群岛", "Northern Mariana Islands", Oceania),
    c("MOZ", "莫桑比克", "Mozambique", Africa),
    c("MRT", "毛里塔尼亚", "Mauritania", Africa),
    c("MSR", "蒙特塞拉特", "Montserrat", NorthAmerica),
    c("MTQ", "马提尼克", "Martinique", NorthAmerica),
    c("MUS", "毛里求斯", "Mauritius", Africa),
    c("MWI", "马拉维", "Malawi", Africa),
    c("MYS", "马来西亚", "Malaysia", Asia),
    c("MYT", "马约特", "Mayotte", Africa),
    c("NAM", "纳米比亚", "Namibia", Africa),
    c("NCL", "新喀里多尼亚", "New Caledonia", Oceania),
    c("NER", "尼日尔", "Niger", Africa),
    c("NFK", "诺福克岛", "Norfolk Island", Oceania),
    c("NGA", "尼日利亚", "Nigeria", Africa),
    c("NIC", "尼加拉瓜", "Nicaragua", NorthAmerica),
    c("NIU", "纽埃", "Niue", Oceania),
    c("NLD", "荷兰", "Netherlands", Europe),
    c("NOR", "挪威", "Norway", Europe),
    c("NPL", "尼泊尔", "Nepal", Asia),
    c("NRU", "瑙鲁", "Nauru", Oceania),
    c("NZL", "新西兰", "New Zealand", Oceania),
    c("OMN", "阿曼", "Oman", Asia),
    c("PAK", "巴基斯坦", "Pakistan", Asia),
    c("PAN", "巴拿马", "Panama", NorthAmerica),
    c("PCN", "皮特凯恩群岛", "Pitcairn", Oceania),
    c("PER", "秘鲁", "Peru", SouthAmerica),
    c("PHL", "菲律宾", "Philippines", Asia),
    c("PLW", "帕劳", "Palau", Oceania),
    c("PNG", "巴布亚新几内亚", "Papua New Guinea", Oceania),
    c("POL", "波兰", "Poland", Europe),
    c("PRI", "波多黎各", "Puerto Rico", NorthAmerica),
    c("PRK", "朝鲜", "Democratic People's Republic of Korea", Asia),
    c("PRT", "葡萄牙", "Portugal", Europe),
    c("PRY", "巴拉圭", "Paraguay", SouthAmerica),
    c("PSE", "巴勒斯坦", "Palestine", Asia),
    c("PYF", "法属波利尼西亚", "French Polynesia", Oceania),
    c("QAT", "卡塔尔", "Qatar", Asia),
    c("REU", "留尼汪", "Réunion", Africa),
    c("ROU", "罗马尼亚", "Romania", Europe),
    c("RUS", "俄罗斯", "Russian Federation", Europe),
    c("RWA", "卢旺达", "Rwanda", Africa),
    c("SAU", "沙特阿拉伯", "Saudi Arabia", Asia),
    c("SDN", "苏丹", "Sudan", Africa),
    c("SEN", "塞内加尔", "Senegal", Africa),
    c("SGP", "新加坡", "Singapore", Asia),
    c(
        "SGS",
        "南乔治亚和南桑威奇群岛",
        "South Georgia and the South Sandwich Islands",
        SouthAmerica,
    ),
    c(
        "SHN",
        "圣赫勒拿、阿森松和特里斯坦-达库尼亚",
        "Saint Helena, Ascension and Tristan da Cunha",
        Africa,
    ),
    c("SJM", "斯瓦尔巴和扬马延", "Svalbard and Jan Mayen", Europe),
    c("SLB", "所罗门群岛", "Solomon Islands", Oceania),
    c("SLE", "塞拉利昂", "Sierra Leone", Africa),
    c("SLV", "萨尔瓦多", "El Salvador", NorthAmerica),
    c("SMR", "圣马力诺", "San Marino", Europe),
    c("SOM", "索马里", "Somalia", Africa),
    c("SPM", "圣皮埃尔和密克隆", "Saint Pierre and Miquelon", NorthAmerica),
    c("SRB", "塞尔维亚", "Serbia", Europe),
    c("SSD", "南苏丹", "South Sudan", Africa),
    c("STP", "圣多美和普林西比", "Sao Tome and Principe", Africa),
    c("SUR", "苏里南", "Suriname", SouthAmerica),
    c("SVK", "斯洛伐克", "Slovakia", Europe),
    c("SVN", "斯洛文尼亚", "Slovenia", Europe),
    c("SWE", "瑞典", "Sweden", Europe),
    c("SWZ", "斯威士兰", "Eswatini", Africa),
    c("SXM", "荷属圣马丁", "Sint Maarten (Dutch part)", NorthAmerica),
    c("SYC", "塞舌尔", "Seychelles", Africa),
    c("SYR", "叙利亚", "Syrian Arab Republic", Asia),
    c("TCA", "特克斯和凯科斯群岛", "Turks and Caicos Islands", NorthAmerica),
    c("TCD", "乍得", "Chad", Africa),
    c("TGO", "多哥", "Togo", Africa),
    c("THA", "泰国", "Thailand", Asia),
    c("TJK", "塔吉克斯坦", "Tajikistan", Asia),
    c("TKL", "托克劳", "Tokelau", Oceania),
    c("TKM", "土库曼斯坦", "Turkmenistan", Asia),
    c("TLS", "东帝汶", "Timor-Leste", Asia),
    c("TON", "汤加", "Tonga", Oceania),
    c("TTO", "特立尼达和多巴哥", "Trinidad and Tobago", NorthAmerica),
    c("TUN", "突尼斯", "Tunisia", Africa),
    c("TUR", "土耳其", "Türkiye", Asia),
    c("TUV", "图瓦卢", "Tuvalu", Oceania),
    c("TWN", "中国台湾", "Taiwan, China", Asia),
    c("TZA", "坦桑尼亚", "Tanzania", Africa),
    c("UGA", "乌干达", "Uganda", Africa),
    c("UKR", "乌克兰", "Ukraine", Europe),
    c(
        "UMI",
        "美国本土外小岛屿",
        "United States Minor Outlying Islands",
        Oceania,
    ),
    c("URY", "乌拉圭", "Uruguay", SouthAmerica),
    c("USA", "美国", "United States of America", NorthAmerica),
    c("UZB", "乌兹别克斯坦", "Uzbekistan", Asia),
    c("VAT", "梵蒂冈", "Holy See", Europe),
    c(
        "VCT",
        "圣文森特和格林纳丁斯",
        "Saint Vincent and the Grenadines",
        NorthAmerica,
    ),
    c("VEN", "委内瑞拉", "Venezuela", SouthAmerica),
    c("VGB", "英属维尔京群岛", "Virgin Islands (British)", NorthAmerica),
    c("VIR", "美属维尔京群岛", "Virgin Islands (U.S.)", NorthAmerica),
    c("VNM", "越南", "Viet Nam", Asia),
    c("VUT", "瓦努阿图", "Vanuatu", Oceania),
    c("WLF", "瓦利斯和富图纳", "Wallis and Futuna", Oceania),
    c("WSM", "萨摩亚", "Samoa", Oceania),
    c("YEM", "也门", "Yemen", Asia),
    c("ZAF", "南非", "South Africa", Africa),
    c("ZMB", "赞比亚", "Zambia", Africa),
    c("ZWE", "津巴布韦", "Zimbabwe", Africa),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete_sorted_and_unique() {
        assert_eq!(COUNTRIES.len(), 249);
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        for c in COUNTRIES {
            assert_eq!(c.code.len(), 3);
            assert!(c.code.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code);
            assert!(!c.zh.is_empty() && !c.en.is_empty());
        }
    }

    #[test]
    fn looks_up_by_code_ignoring_case_and_width() {
        assert_eq!(country("deu").unwrap().zh, "德国");
        assert_eq!(country(" ＵＳＡ ").unwrap().continent, NorthAmerica);
        assert_eq!(country("CHN").unwrap().en, "China");
        assert!(country("XXX").is_none());
        assert!(country("DE").is_none());
        assert!(country("").is_none());
    }

    #[test]
    fn lists_by_continent() {
        let asia: Vec<_> = countries_in(Asia).map(|c| c.code).collect();
        assert!(asia.contains(&"CHN") && asia.contains(&"JPN"));
        assert!(!asia.contains(&"DEU"));
        assert!(countries_in(Europe).any(|c| c.code == "RUS"));
        assert!(countries_in(SouthAmerica).any(|c| c.code == "BRA"));
        assert!(countries_in(Oceania).any(|c| c.code == "NZL"));
        assert!(countries_in(Africa).any(|c| c.code == "EGY"));
        let total: usize = Continent::ALL.iter().map(|c| countries_in(*c).count()).sum();
        assert_eq!(total, COUNTRIES.len());
    }

    #[test]
    fn continent_codes_roundtrip_and_serialize_snake_case() {
        for c in Continent::ALL {
            assert_eq!(Continent::from_code(c.code()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        assert_eq!(Continent::from_code(" North_America "), Some(NorthAmerica));
        assert_eq!(Continent::from_code("atlantis"), None);
    }
}
