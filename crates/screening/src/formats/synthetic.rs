//! Synthetic, deterministic watchlist entries for benchmarks (a 20,000-entry list without a
//! download), and a writer that puts entries into OFAC's CSV files so the importer itself can be
//! benchmarked and round-trip tested.
//!
//! Must not: be used as a list. The names are combinations of common names, fictional by
//! construction; nothing here reads a clock or a random source (the seed decides everything).

use super::{ListFile, country, date};
use crate::entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier, PartialDate};
use compliance_domain::ListEntryRef;

const GIVEN: &[&str] = &[
    "Ahmed", "Mohammed", "Ali", "Hassan", "Omar", "Khalid", "Yusuf", "Fatima", "Aisha", "Ivan",
    "Dmitri", "Sergei", "Olga", "Natalia", "Vladimir", "Rajesh", "Sunil", "Priya", "Anil", "Arjun",
    "Deepak", "Sanjay", "John", "Michael", "David", "Maria", "Anna", "Peter", "Karim",
];
const FAMILY: &[&str] = &[
    "AL-RASHID",
    "HADDAD",
    "KHAN",
    "MANSOUR",
    "AL-MASRI",
    "QURESHI",
    "RAHMAN",
    "IVANOV",
    "PETROV",
    "SOKOLOV",
    "VOLKOV",
    "KUZNETSOV",
    "SHARMA",
    "PATEL",
    "SINGH",
    "GUPTA",
    "REDDY",
    "IYER",
    "SMITH",
    "MUELLER",
    "ROSSI",
    "DUBOIS",
    "NOVAK",
    "KARIMI",
    "TEHRANI",
    "NAZARI",
];
const COMPANY_WORDS: &[&str] = &[
    "AL NOOR",
    "GULF STAR",
    "SILK ROAD",
    "CASPIAN",
    "HORIZON",
    "SAPPHIRE",
    "EASTERN",
    "ORIENT",
    "GLOBAL",
    "UNITY",
    "NORTHWIND",
    "BLUE OCEAN",
    "GOLDEN CRESCENT",
    "INDUS",
    "VOLGA",
];
const ACTIVITIES: &[&str] = &[
    "GENERAL TRADING",
    "SHIPPING",
    "PETROCHEMICALS",
    "ELECTRONICS",
    "LOGISTICS",
    "EXCHANGE",
    "MARINE SERVICES",
    "METALS",
    "INVESTMENTS",
    "TECHNOLOGIES",
];
const LEGAL_FORMS: &[&str] = &[
    "LLC", "FZE", "FZCO", "PVT LTD", "INC", "LIMITED", "OOO", "JSC",
];
const COUNTRIES: &[&str] = &[
    "IR", "RU", "AE", "IN", "PK", "SY", "KP", "CN", "TR", "LB", "IQ", "AF", "GB", "US", "DE",
];
const PROGRAMMES: &[&str] = &["SDGT", "IRAN", "RUSSIA-EO14024", "DPRK3", "SYRIA", "CYBER2"];
const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// `count` fictional sanctions entries (about two persons to one company), sorted by id, the
/// same for the same `seed`: multi-token names in OFAC's `LAST, First Middle` form with a
/// transliteration alias, dates of birth, nationalities, passports, some wallets; companies
/// with legal forms, a shorter alias and a registration number. For benchmarks and tests.
pub fn synthetic_entries(count: usize, seed: u64) -> Vec<ListEntry> {
    let mut rng = Rng(seed);
    let mut entries: Vec<ListEntry> = (0..count).filter_map(|i| entry(&mut rng, i)).collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    entries
}

fn entry(rng: &mut Rng, index: usize) -> Option<ListEntry> {
    let id = ListEntryRef::parse(&format!("SDN-{}", 10_000 + index)).ok()?;
    let country = rng.pick(COUNTRIES).to_owned();
    let programmes = vec![rng.pick(PROGRAMMES).to_owned()];
    let person = rng.below(3) < 2;
    let mut entry = ListEntry {
        id,
        kind: EntryKind::Sanctions,
        schema: if person {
            EntrySchema::Person
        } else {
            EntrySchema::Organization
        },
        names: Vec::new(),
        dates: Vec::new(),
        countries: vec![country.clone()],
        identifiers: Vec::new(),
        wallets: Vec::new(),
        programmes,
    };
    if person {
        let (family, first, middle) = (rng.pick(FAMILY), rng.pick(GIVEN), rng.pick(GIVEN));
        entry.names.push(format!("{family}, {first} {middle}"));
        entry
            .names
            .push(format!("{}, {first}", family.replace("AL-", "EL ")));
        if entry.names[0] == entry.names[1] {
            entry.names[1] = format!("{first} {middle} {family}");
        }
        let year = 1940 + i16::try_from(rng.below(60)).unwrap_or(0);
        let full = rng.below(5) < 3;
        entry.dates.push(PartialDate {
            year,
            month: full.then(|| u8::try_from(1 + rng.below(12)).unwrap_or(1)),
            day: full.then(|| u8::try_from(1 + rng.below(28)).unwrap_or(1)),
        });
        entry
            .identifiers
            .push(identifier("passport", rng, &country));
        if rng.below(10) == 0 {
            let address: String = std::iter::once('1')
                .chain((0..33).map(|_| char::from(BASE58[rng.below(BASE58.len())])))
                .collect();
            entry.wallets.push(address);
        }
    } else {
        let (word, activity, form) = (
            rng.pick(COMPANY_WORDS),
            rng.pick(ACTIVITIES),
            rng.pick(LEGAL_FORMS),
        );
        entry.names.push(format!("{word} {activity} {form}"));
        entry.names.push(format!(
            "{word} {}",
            activity.split(' ').next().unwrap_or(activity)
        ));
        entry
            .identifiers
            .push(identifier("registration_number", rng, &country));
    }
    Some(entry)
}

fn identifier(kind: &str, rng: &mut Rng, country: &str) -> ListIdentifier {
    let letter = char::from(b'A' + u8::try_from(rng.below(26)).unwrap_or(0));
    ListIdentifier {
        kind: kind.to_owned(),
        value: format!("{letter}{:07}", rng.below(10_000_000)),
        country: Some(country.to_owned()),
    }
}

/// Writes entries as OFAC's `sdn.csv`, `alt.csv` and `add.csv`, byte for byte in OFAC's layout
/// (quoted text, `-0- ` empties, CRLF, a 0x1A trailer): the primary name in sdn.csv, each further
/// name as an `aka`, dates, person nationalities, identifiers and wallets in the remarks, an
/// organisation's countries as add.csv rows. Entries whose id is not `SDN-<number>` are skipped.
pub fn write_ofac(entries: &[ListEntry]) -> Vec<ListFile> {
    let (mut sdn, mut alt, mut add) = (String::new(), String::new(), String::new());
    let (mut alt_num, mut add_num) = (0_u64, 0_u64);
    for entry in entries {
        let Some(num) = entry
            .id
            .as_str()
            .strip_prefix("SDN-")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        let person = entry.schema == EntrySchema::Person;
        let mut remarks: Vec<String> = entry
            .dates
            .iter()
            .map(|d| format!("DOB {}", date::ofac_text(d)))
            .collect();
        if person {
            remarks.extend(
                entry
                    .countries
                    .iter()
                    .map(|c| format!("nationality {}", name(c))),
            );
        }
        for id in &entry.identifiers {
            let prefix = match id.kind.as_str() {
                "passport" => "Passport",
                "national_id" => "National ID No.",
                "registration_number" => "Registration Number",
                "tax_id" => "Tax ID No.",
                _ => "Identification Number",
            };
            let country = id.country.as_deref().map(|c| format!(" ({})", name(c)));
            remarks.push(format!(
                "{prefix} {}{}",
                id.value,
                country.unwrap_or_default()
            ));
        }
        remarks.extend(
            entry
                .wallets
                .iter()
                .map(|w| format!("Digital Currency Address - XBT {w}")),
        );
        let kind = match entry.schema {
            EntrySchema::Person => "\"individual\"",
            EntrySchema::Vessel => "\"vessel\"",
            EntrySchema::Aircraft => "\"aircraft\"",
            _ => "-0- ",
        };
        let name0 = entry.names.first().map_or("-0- ".to_owned(), |n| quote(n));
        let remarks = if remarks.is_empty() {
            "-0- ".to_owned()
        } else {
            quote(&(remarks.join("; ") + "."))
        };
        let programmes = quote(&entry.programmes.join("] ["));
        sdn.push_str(&format!(
            "{num},{name0},{kind},{programmes},-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,{remarks}\r\n"
        ));
        for alias in entry.names.iter().skip(1) {
            alt_num += 1;
            alt.push_str(&format!(
                "{num},{alt_num},\"aka\",{},-0- \r\n",
                quote(alias)
            ));
        }
        if !person {
            for c in &entry.countries {
                add_num += 1;
                add.push_str(&format!(
                    "{num},{add_num},-0- ,-0- ,{},-0- \r\n",
                    quote(&name(c))
                ));
            }
        }
    }
    [("sdn.csv", sdn), ("alt.csv", alt), ("add.csv", add)]
        .into_iter()
        .map(|(file, text)| ListFile::new(file, [text.into_bytes(), vec![0x1A]].concat()))
        .collect()
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A country's name as OFAC writes it (`United Arab Emirates`), or the code when unknown.
fn name(code: &str) -> String {
    let Some(name) = country::name_of(code) else {
        return code.to_owned();
    };
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |c| {
                c.to_uppercase().collect::<String>() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
