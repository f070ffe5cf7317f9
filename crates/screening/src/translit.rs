//! Transliteration of Arabic, Devanagari and Cyrillic names to lowercase Latin, by tables
//! written for names (deunicode alone writes Arabic as a consonant skeleton with `'`, `@` and
//! `` ` `` marks, and Devanagari without its inherent vowel: "nreNdr" for नरेंद्र).
//!
//! Must not: guess beyond the script. Arabic leaves short vowels unwritten, so its output is a
//! skeleton the scorer compares by consonants; other scripts pass through unchanged.

/// True when the character is in a script whose short vowels are commonly unwritten or
/// uncertain in transliteration (Arabic, Persian, Devanagari), so that names written in it are
/// compared by their consonants as well.
pub(crate) fn vowels_unwritten(c: char) -> bool {
    is_arabic(c) || is_devanagari(c)
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}')
}

fn is_devanagari(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{097F}')
}

/// Writes `text` with every Arabic, Devanagari and Cyrillic letter replaced by Latin; other
/// characters are copied unchanged.
pub(crate) fn to_latin(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_arabic(c) {
            let start = i;
            while i < chars.len() && is_arabic(chars[i]) {
                i += 1;
            }
            arabic_word(&chars[start..i], &mut out);
            continue;
        }
        if is_devanagari(c) {
            let start = i;
            while i < chars.len() && is_devanagari(chars[i]) {
                i += 1;
            }
            devanagari_word(&chars[start..i], &mut out);
            continue;
        }
        match cyrillic(c) {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
        i += 1;
    }
    out
}

/// One Arabic-script word. The article ال is written as a separate `al`, as Latin spellings
/// do ("al-Husseini"); a few particles get their usual Latin form.
fn arabic_word(word: &[char], out: &mut String) {
    // Tatweel, shadda, sukun and a lone hamza mark carry no letter.
    let letters: Vec<char> = word
        .iter()
        .copied()
        .filter(|c| {
            !matches!(
                c,
                '\u{0654}' | '\u{0655}' | '\u{0640}' | '\u{0651}' | '\u{0652}'
            )
        })
        .collect();
    let text: String = letters.iter().collect();
    let particle = match text.as_str() {
        "بن" => Some("bin"),
        "ابن" => Some("ibn"),
        "بنت" => Some("bint"),
        "ابو" | "أبو" | "ابـو" => Some("abu"),
        "عبد" => Some("abd"),
        "الله" => Some("allah"),
        _ => None,
    };
    if let Some(latin) = particle {
        out.push_str(latin);
        return;
    }
    let mut rest: &[char] = &letters;
    if letters.len() > 3 && letters[0] == 'ا' && letters[1] == 'ل' {
        out.push_str("al ");
        rest = &letters[2..];
    }
    for (k, &c) in rest.iter().enumerate() {
        let initial = k == 0;
        let latin = match c {
            'ا' | 'أ' | 'آ' | 'ٱ' | 'ى' | 'ة' => "a",
            'إ' => "i",
            'ء' => "",
            'ع' if initial => "a",
            'ع' => "",
            'ؤ' => "u",
            'ئ' => "i",
            'ب' => "b",
            'ت' | 'ط' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' | 'ه' => "h",
            'خ' => "kh",
            'د' | 'ض' => "d",
            'ذ' => "dh",
            'ر' => "r",
            'ز' | 'ظ' => "z",
            'س' | 'ص' => "s",
            'ش' => "sh",
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ك' | 'ک' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'و' if initial => "w",
            'و' => "u",
            'ي' | 'ی' if initial => "y",
            'ي' | 'ی' => "i",
            'پ' => "p",
            'چ' => "ch",
            'ژ' => "zh",
            'گ' => "g",
            '\u{064E}' => "a",
            '\u{064F}' => "u",
            '\u{0650}' => "i",
            _ => "",
        };
        out.push_str(latin);
    }
}

/// One Devanagari word, with the inherent vowel written after a consonant unless a vowel sign
/// or virama follows, and dropped at the end of a word (Hindi's final schwa deletion) unless the
/// consonant closes a cluster ("narendra", but "kumar").
fn devanagari_word(word: &[char], out: &mut String) {
    let mut i = 0;
    while i < word.len() {
        let c = word[i];
        let nukta = word.get(i + 1) == Some(&'\u{093C}');
        if let Some(consonant) = devanagari_consonant(c, nukta) {
            out.push_str(consonant);
            let mut next = i + 1 + usize::from(nukta);
            let after_cluster = i > 0 && word[i - 1] == '\u{094D}';
            match word.get(next).copied() {
                Some('\u{094D}') => next += 1,
                Some(sign) if devanagari_vowel_sign(sign).is_some() => {
                    out.push_str(devanagari_vowel_sign(sign).unwrap_or(""));
                    next += 1;
                }
                None if !after_cluster => {}
                _ => out.push('a'),
            }
            i = next;
            continue;
        }
        let latin = match c {
            'अ' | 'आ' => "a",
            'इ' | 'ई' => "i",
            'उ' | 'ऊ' => "u",
            'ऋ' => "ri",
            'ए' => "e",
            'ऐ' => "ai",
            'ओ' | 'ऑ' => "o",
            'औ' => "au",
            'ं' | 'ँ' => "n",
            'ः' => "h",
            _ => "",
        };
        out.push_str(latin);
        i += 1;
    }
}

fn devanagari_vowel_sign(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "a",
        'ि' | 'ी' => "i",
        'ु' | 'ू' => "u",
        'ृ' => "ri",
        'े' => "e",
        'ै' => "ai",
        'ो' | 'ॉ' => "o",
        'ौ' => "au",
        _ => return None,
    })
}

fn devanagari_consonant(c: char, nukta: bool) -> Option<&'static str> {
    Some(match (c, nukta) {
        ('क', true) => "q",
        ('ख', true) => "kh",
        ('ग', true) => "gh",
        ('ज', true) => "z",
        ('ड', true) => "r",
        ('ढ', true) => "rh",
        ('फ', true) => "f",
        ('क', _) => "k",
        ('ख', _) => "kh",
        ('ग', _) => "g",
        ('घ', _) => "gh",
        ('ङ' | 'ञ' | 'ण' | 'न', _) => "n",
        ('च', _) => "ch",
        ('छ', _) => "chh",
        ('ज', _) => "j",
        ('झ', _) => "jh",
        ('ट' | 'त', _) => "t",
        ('ठ' | 'थ', _) => "th",
        ('ड' | 'द', _) => "d",
        ('ढ' | 'ध', _) => "dh",
        ('प', _) => "p",
        ('फ', _) => "ph",
        ('ब', _) => "b",
        ('भ', _) => "bh",
        ('म', _) => "m",
        ('य', _) => "y",
        ('र', _) => "r",
        ('ल', _) => "l",
        ('व', _) => "v",
        ('श' | 'ष', _) => "sh",
        ('स', _) => "s",
        ('ह', _) => "h",
        _ => return None,
    })
}

/// Russian and Ukrainian letters as English-language lists most often spell them
/// (BGN/PCGN-like: Юрий "yuriy", Щербаков "shcherbakov").
fn cyrillic(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn latin(text: &str) -> String {
        to_latin(&text.nfc().collect::<String>())
    }

    #[test]
    fn writes_names_as_english_language_lists_spell_them() {
        assert_eq!(latin("Сергей Иванов"), "sergey ivanov");
        assert_eq!(latin("Юрий Щербаков"), "yuriy shcherbakov");
        assert_eq!(latin("नरेंद्र मोदी"), "narendra modi");
        assert_eq!(latin("राजेश कुमार शर्मा"), "rajesh kumar sharma");
        assert_eq!(latin("इब्राहिम"), "ibrahim");
        assert_eq!(latin("أسامة بن لادن"), "asama bin ladn");
        assert_eq!(latin("محمد الحسيني"), "mhmd al hsini");
        assert_eq!(latin("عبد الله"), "abd allah");
    }
}
