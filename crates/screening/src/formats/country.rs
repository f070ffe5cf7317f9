//! Country names as OFAC and the UN write them, mapped to ISO 3166-1 alpha-2 codes.
//!
//! Must not: guess. A name missing from the table maps to nothing and stays out of an entry's
//! countries; a wrong country would be worse than none, since the matcher weighs it.

/// (name as a list writes it, lowercase; alpha-2 code). Several names may share a code.
const NAMES: &[(&str, &str)] = &[
    ("afghanistan", "AF"),
    ("albania", "AL"),
    ("algeria", "DZ"),
    ("armenia", "AM"),
    ("austria", "AT"),
    ("azerbaijan", "AZ"),
    ("bahrain", "BH"),
    ("bangladesh", "BD"),
    ("belarus", "BY"),
    ("belgium", "BE"),
    ("bosnia and herzegovina", "BA"),
    ("brazil", "BR"),
    ("burma", "MM"),
    ("myanmar", "MM"),
    ("canada", "CA"),
    ("china", "CN"),
    ("colombia", "CO"),
    ("cuba", "CU"),
    ("cyprus", "CY"),
    ("democratic people's republic of korea", "KP"),
    ("korea, north", "KP"),
    ("north korea", "KP"),
    ("korea, south", "KR"),
    ("republic of korea", "KR"),
    ("egypt", "EG"),
    ("eritrea", "ER"),
    ("ethiopia", "ET"),
    ("france", "FR"),
    ("georgia", "GE"),
    ("germany", "DE"),
    ("greece", "GR"),
    ("hong kong", "HK"),
    ("india", "IN"),
    ("indonesia", "ID"),
    ("iran", "IR"),
    ("iran (islamic republic of)", "IR"),
    ("iraq", "IQ"),
    ("israel", "IL"),
    ("italy", "IT"),
    ("japan", "JP"),
    ("jordan", "JO"),
    ("kazakhstan", "KZ"),
    ("kenya", "KE"),
    ("kuwait", "KW"),
    ("kyrgyzstan", "KG"),
    ("latvia", "LV"),
    ("lebanon", "LB"),
    ("liberia", "LR"),
    ("libya", "LY"),
    ("malaysia", "MY"),
    ("mali", "ML"),
    ("malta", "MT"),
    ("marshall islands", "MH"),
    ("mexico", "MX"),
    ("moldova", "MD"),
    ("morocco", "MA"),
    ("nepal", "NP"),
    ("netherlands", "NL"),
    ("nicaragua", "NI"),
    ("niger", "NE"),
    ("nigeria", "NG"),
    ("oman", "OM"),
    ("pakistan", "PK"),
    ("panama", "PA"),
    ("philippines", "PH"),
    ("qatar", "QA"),
    ("russia", "RU"),
    ("russian federation", "RU"),
    ("saudi arabia", "SA"),
    ("serbia", "RS"),
    ("singapore", "SG"),
    ("somalia", "SO"),
    ("south sudan", "SS"),
    ("spain", "ES"),
    ("sri lanka", "LK"),
    ("sudan", "SD"),
    ("sweden", "SE"),
    ("switzerland", "CH"),
    ("syria", "SY"),
    ("syrian arab republic", "SY"),
    ("tajikistan", "TJ"),
    ("thailand", "TH"),
    ("tunisia", "TN"),
    ("turkey", "TR"),
    ("turkiye", "TR"),
    ("türkiye", "TR"),
    ("ukraine", "UA"),
    ("united arab emirates", "AE"),
    ("united kingdom", "GB"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("uzbekistan", "UZ"),
    ("venezuela", "VE"),
    ("venezuela (bolivarian republic of)", "VE"),
    ("viet nam", "VN"),
    ("vietnam", "VN"),
    ("yemen", "YE"),
];

/// The alpha-2 code for a country name (case-insensitive, surrounding space and a final full
/// stop ignored), or `None` when the table does not hold it.
pub(crate) fn alpha2(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_end_matches('.').trim().to_lowercase();
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, code)| *code)
}

/// The first name the table holds for `code`, for writers (the synthetic OFAC files).
pub(crate) fn name_of(code: &str) -> Option<&'static str> {
    NAMES.iter().find(|(_, c)| *c == code).map(|(n, _)| *n)
}

/// A FollowTheMoney country code (`ae`) upper-cased, when it is two ASCII letters; FtM's longer
/// codes (`suhh` for the Soviet Union, `zz` aside) have no alpha-2 form and are dropped.
pub(crate) fn ftm_code(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_list_spellings_and_refuses_to_guess() {
        assert_eq!(alpha2("Iran"), Some("IR"));
        assert_eq!(alpha2(" Iran (Islamic Republic of) "), Some("IR"));
        assert_eq!(alpha2("Korea, North"), Some("KP"));
        assert_eq!(alpha2("UNITED ARAB EMIRATES"), Some("AE"));
        assert_eq!(alpha2("Atlantis"), None);
        assert_eq!(alpha2("Irn"), None);
        assert_eq!(ftm_code("ae"), Some("AE".to_owned()));
        assert_eq!(ftm_code("suhh"), None);
    }

    #[test]
    fn every_code_is_two_uppercase_letters_and_names_are_lowercase() {
        for (name, code) in NAMES {
            assert_eq!(code.len(), 2);
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()));
            assert_eq!(*name, name.to_lowercase());
            assert_eq!(alpha2(name), Some(*code), "{name} shadowed");
        }
    }
}
