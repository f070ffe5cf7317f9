//! The generator's fixed tables: generic company names and common personal names (hard
//! negatives), and the substitutions of another romanisation (variants). Written before the set
//! was first screened.

/// Generic company names that must match nothing above the review band.
pub const GENERIC_NAMES: &[&str] = &[
    "General Trading Corp",
    "International Holding",
    "Global Trading LLC",
    "Gulf Star General Trading",
    "National Petroleum Company",
    "United Investment Group",
    "First International Services Ltd",
    "Middle East Shipping Co",
    "CORP",
    "TRADING",
    "GENERAL",
    "General Trading",
    "Trading Company Limited",
    "International Group Holding Corp",
];

/// Common given names and surnames, alone and together, that must match nothing above review
/// unless the lists hold exactly that name.
pub const COMMON_NAMES: &[&str] = &[
    "Mohammed",
    "Muhammad Ali",
    "Ahmed Hassan",
    "Ali Khan",
    "Fatima Khan",
    "Abdullah",
    "Omar",
    "Hassan",
    "John Smith",
    "Maria Garcia",
    "Ivan Petrov",
    "Sergei Ivanov",
    "Alexander",
    "Rahul Sharma",
    "Amit Kumar",
    "Singh",
    "Kim",
    "Lee",
    "Mohammed Al Rashid",
    "Ahmad Haddad",
];

/// Another romanisation of the same name: each pair replaces every occurrence, in this order
/// (Arabic and Russian names are written in Latin by several schemes).
pub(super) const ROMANISATION: &[(&str, &str)] = &[
    ("ou", "u"),
    ("ee", "i"),
    ("ei", "ey"),
    ("iy", "i"),
    ("ya", "ia"),
    ("yu", "iu"),
    ("q", "k"),
    ("x", "ks"),
    ("ph", "f"),
    ("mohammed", "muhammad"),
    ("mohamed", "muhammad"),
];
