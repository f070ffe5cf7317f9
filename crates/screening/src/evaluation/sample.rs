//! A small test list of fictional entries, realistic in shape: persons with Arabic, Russian,
//! Indian and Western names (aliases in their original script), companies with LLC, FZE,
//! Pvt Ltd and Trading in their names; and hand-written Latin spellings of the names written
//! in other scripts, as a subject's documents would give them.
//!
//! Must not: name a real person or company. Every name here is made up.

use compliance_domain::{ListEntryRef, ListName, WatchlistKind};

use crate::entry::{EntrySchema, ListEntry, ListIdentifier, PartialDate};

mod spellings;

pub use spellings::spellings;

/// The sample list's name.
pub fn list_name() -> ListName {
    ListName::parse("SAMPLE").unwrap_or_else(|_| unreachable!("a valid list name"))
}

fn entry(
    id: &str,
    schema: EntrySchema,
    names: &[&str],
    year: Option<(i16, u8, u8)>,
    countries: &[&str],
) -> ListEntry {
    ListEntry {
        id: ListEntryRef::parse(id).unwrap_or_else(|_| unreachable!("a valid entry id")),
        kind: WatchlistKind::Sanctions,
        schema,
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        dates: year
            .map(|(year, m, d)| PartialDate {
                year,
                month: Some(m),
                day: Some(d),
            })
            .into_iter()
            .collect(),
        countries: countries.iter().map(|c| (*c).to_owned()).collect(),
        identifiers: Vec::new(),
        wallets: Vec::new(),
        programmes: vec!["SAMPLE".to_owned()],
    }
}

/// About forty entries.
pub fn entries() -> Vec<ListEntry> {
    use EntrySchema::{Organization as O, Person as P};
    let mut list = vec![
        entry(
            "S-1",
            P,
            &["Khalil Ibrahim al-Masri", "خليل إبراهيم المصري"],
            Some((1968, 3, 14)),
            &["EG"],
        ),
        entry(
            "S-2",
            P,
            &["Yousef Abdulrahman Haddad", "يوسف عبد الرحمن حداد"],
            Some((1975, 7, 2)),
            &["JO"],
        ),
        entry(
            "S-3",
            P,
            &["Tariq Nasser al-Qahtani", "طارق ناصر القحطاني"],
            Some((1981, 11, 30)),
            &["SA"],
        ),
        entry(
            "S-4",
            P,
            &["Mahmoud Saeed Barakat"],
            Some((1959, 1, 5)),
            &["LB"],
        ),
        entry(
            "S-5",
            P,
            &["Faisal bin Hamad al-Dosari", "فيصل بن حمد الدوسري"],
            Some((1972, 6, 18)),
            &["QA"],
        ),
        entry(
            "S-6",
            P,
            &["Omar Abdullah Rashidi", "عمر عبد الله الرشيدي"],
            Some((1985, 9, 9)),
            &["YE"],
        ),
        entry(
            "S-7",
            P,
            &["Hussein Kamal Zahran"],
            Some((1966, 4, 21)),
            &["IQ"],
        ),
        entry(
            "S-8",
            P,
            &["Nabil Fathi Shawkat", "نبيل فتحي شوكت"],
            Some((1979, 12, 1)),
            &["SY"],
        ),
        entry(
            "S-9",
            P,
            &["Zayed Mubarak Khouri"],
            Some((1990, 2, 14)),
            &["AE"],
        ),
        entry(
            "S-10",
            P,
            &["Samira Adel Mansour"],
            Some((1983, 8, 8)),
            &["TN"],
        ),
        entry(
            "S-11",
            P,
            &["Dmitry Anatolyevich Volkov", "Дмитрий Анатольевич Волков"],
            Some((1971, 5, 3)),
            &["RU"],
        ),
        entry(
            "S-12",
            P,
            &["Yuri Konstantinovich Belov", "Юрий Константинович Белов"],
            Some((1962, 10, 12)),
            &["RU"],
        ),
        entry(
            "S-13",
            P,
            &["Oleg Borisovich Zaitsev", "Олег Борисович Зайцев"],
            Some((1977, 3, 27)),
            &["RU"],
        ),
        entry(
            "S-14",
            P,
            &["Tatiana Sergeyevna Morozova", "Татьяна Сергеевна Морозова"],
            Some((1986, 1, 19)),
            &["RU"],
        ),
        entry(
            "S-15",
            P,
            &[
                "Aleksandr Viktorovich Grishin",
                "Александр Викторович Гришин",
            ],
            Some((1958, 7, 7)),
            &["BY"],
        ),
        entry(
            "S-16",
            P,
            &["Evgeny Petrovich Shcherbina", "Евгений Петрович Щербина"],
            Some((1969, 11, 11)),
            &["RU"],
        ),
        entry(
            "S-17",
            P,
            &["Mykola Ivanovych Kovalenko", "Микола Іванович Коваленко"],
            Some((1974, 4, 4)),
            &["UA"],
        ),
        entry(
            "S-18",
            P,
            &["Rajesh Kumar Malhotra", "राजेश कुमार मल्होत्रा"],
            Some((1970, 2, 28)),
            &["IN"],
        ),
        entry(
            "S-19",
            P,
            &["Suresh Chandra Bhattacharya", "सुरेश चंद्र भट्टाचार्य"],
            Some((1963, 6, 6)),
            &["IN"],
        ),
        entry(
            "S-20",
            P,
            &["Anil Vishwanath Deshpande", "अनिल विश्वनाथ देशपांडे"],
            Some((1980, 12, 25)),
            &["IN"],
        ),
        entry(
            "S-21",
            P,
            &["Priya Ramesh Iyer"],
            Some((1988, 3, 3)),
            &["IN"],
        ),
        entry(
            "S-22",
            P,
            &["Harpreet Singh Sandhu"],
            Some((1976, 9, 15)),
            &["IN"],
        ),
        entry(
            "S-23",
            P,
            &["Vikram Aditya Choudhary", "विक्रम आदित्य चौधरी"],
            Some((1967, 5, 20)),
            &["IN"],
        ),
        entry(
            "S-24",
            P,
            &["Jonathan Edward Whitcombe"],
            Some((1965, 10, 31)),
            &["GB"],
        ),
        entry(
            "S-25",
            P,
            &["Maria Elena Castellanos"],
            Some((1978, 1, 1)),
            &["VE"],
        ),
        entry(
            "S-26",
            P,
            &["Pierre-Alain Dufresne"],
            Some((1960, 8, 16)),
            &["FR"],
        ),
        entry(
            "S-27",
            P,
            &["Heinrich Albrecht Vogelsang"],
            Some((1955, 12, 12)),
            &["DE"],
        ),
        entry(
            "S-28",
            P,
            &["Carlos Andrés Villalobos Duarte"],
            Some((1984, 6, 30)),
            &["CO"],
        ),
        entry(
            "S-29",
            P,
            &["Seamus Patrick O'Donoghue"],
            Some((1973, 3, 17)),
            &["IE"],
        ),
        entry(
            "S-30",
            O,
            &["Falcon Crest General Trading LLC"],
            None,
            &["AE"],
        ),
        entry(
            "S-31",
            O,
            &["Zarqa Petrochemical Industries FZE"],
            None,
            &["AE"],
        ),
        entry("S-32", O, &["Bharat Kaveri Exports Pvt Ltd"], None, &["IN"]),
        entry(
            "S-33",
            O,
            &["Volgotrans Shipping OOO", "ООО Волготранс"],
            None,
            &["RU"],
        ),
        entry(
            "S-34",
            O,
            &["Al Noor Horizon Trading Co LLC"],
            None,
            &["AE"],
        ),
        entry(
            "S-35",
            O,
            &["Sapphire Meridian Holdings Ltd"],
            None,
            &["GB"],
        ),
        entry(
            "S-36",
            O,
            &["Tigris Euphrates Logistics FZCO"],
            None,
            &["AE"],
        ),
        entry(
            "S-37",
            O,
            &[
                "Krasnoyarsk Alyuminiy Invest JSC",
                "АО Красноярск Алюминий Инвест",
            ],
            None,
            &["RU"],
        ),
        entry(
            "S-38",
            O,
            &["Deccan Maritime Services Private Limited"],
            None,
            &["IN"],
        ),
        entry(
            "S-39",
            O,
            &["Qasr al-Bahr Investment Company"],
            None,
            &["KW"],
        ),
        entry("S-40", O, &["Northwind Kestrel Inc"], None, &["US"]),
    ];
    if let Some(e) = list.get_mut(10) {
        e.identifiers.push(ListIdentifier {
            kind: "passport".into(),
            value: "75 1234567".into(),
            country: Some("RU".into()),
        });
    }
    if let Some(e) = list.get_mut(29) {
        e.wallets
            .push("0x7F367cC41522cE07553e823bf3be79A889DEbe1B".into());
    }
    list
}
