//! Pure rules of the housing register: areas, ownership shares, account numbers, search text.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Text for case-insensitive search that works for Cyrillic on both databases: lower case,
/// `ё` as `е`, single spaces.
pub fn search_text(s: &str) -> String {
    s.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads an area in m² (`54,3`, `54.30`) into hundredths of a square metre, exactly.
pub fn parse_area(input: &str) -> Result<i64, &'static str> {
    let bad = "Площадь — число в м², например 54,3.";
    let normalized = input.trim().replace(',', ".");
    let value = Decimal::from_str(&normalized).map_err(|_| bad)?;
    if value.scale() > 2 && value.normalize().scale() > 2 {
        return Err("Площадь указывается с точностью до 0,01 м².");
    }
    if value <= Decimal::ZERO || value > Decimal::from(100_000) {
        return Err("Площадь должна быть больше нуля и не больше 100 000 м².");
    }
    let centi = (value * Decimal::from(100)).normalize();
    i64::try_from(centi).map_err(|_| bad)
}

/// Formats hundredths of a m² as people write it: `54,3`, `61`, `40,25`.
pub fn format_area(centi_m2: i64) -> String {
    let value = Decimal::new(centi_m2, 2).normalize();
    value.to_string().replace('.', ",")
}

/// An ownership share as a fraction, `1/2`; `1` means the whole apartment.
pub fn parse_share(input: &str) -> Result<(i64, i64), &'static str> {
    let bad = "Доля — дробь вида 1/2 или 1 для всей квартиры.";
    let s = input.trim();
    let (num, den) = match s.split_once('/') {
        Some((n, d)) => (n.trim().parse::<i64>(), d.trim().parse::<i64>()),
        None => (s.parse::<i64>(), Ok(1)),
    };
    let (num, den) = (num.map_err(|_| bad)?, den.map_err(|_| bad)?);
    if num <= 0 || den <= 0 || num > den || den > 10_000 {
        return Err(bad);
    }
    let g = gcd(num, den);
    Ok((num / g, den / g))
}

pub fn format_share(num: i64, den: i64) -> String {
    if num == den {
        "1".into()
    } else {
        format!("{num}/{den}")
    }
}

/// Whether the owners' shares, with a new one, still add up to at most the whole apartment.
pub fn shares_fit(existing: &[(i64, i64)], new: (i64, i64)) -> bool {
    // Sum of fractions with exact integer arithmetic: Σ n/d ≤ 1.
    let mut num: i128 = 0;
    let mut den: i128 = 1;
    for &(n, d) in existing.iter().chain(std::iter::once(&new)) {
        num = num * d as i128 + n as i128 * den;
        den *= d as i128;
        let g = gcd128(num, den);
        num /= g;
        den /= g;
    }
    num <= den
}

/// A personal account number (лицевой счёт): 6 to 20 digits.
pub fn check_account_number(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    if (6..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("Номер лицевого счёта — от 6 до 20 цифр.")
    }
}

pub fn check_full_name(input: &str) -> Result<String, &'static str> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() < 2 {
        return Err("Укажите фамилию и имя.");
    }
    if s.chars().count() > 200 {
        return Err("Слишком длинное имя.");
    }
    Ok(s)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

fn gcd128(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd128(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_exact_hundredths() {
        assert_eq!(parse_area("54,3"), Ok(5430));
        assert_eq!(parse_area("54.30"), Ok(5430));
        assert_eq!(parse_area(" 61 "), Ok(6100));
        assert_eq!(parse_area("40,25"), Ok(4025));
        assert!(parse_area("40,255").is_err());
        assert!(parse_area("0").is_err());
        assert!(parse_area("-5").is_err());
        assert!(parse_area("пятьдесят").is_err());
        for centi in [1, 99, 100, 4025, 5430, 6100, 123_456] {
            assert_eq!(parse_area(&format_area(centi)), Ok(centi), "{centi}");
        }
        assert_eq!(format_area(5430), "54,3");
        assert_eq!(format_area(6100), "61");
    }

    #[test]
    fn shares_are_reduced_fractions() {
        assert_eq!(parse_share("1/2"), Ok((1, 2)));
        assert_eq!(parse_share("2/4"), Ok((1, 2)));
        assert_eq!(parse_share("1"), Ok((1, 1)));
        assert!(parse_share("3/2").is_err());
        assert!(parse_share("0/3").is_err());
        assert!(parse_share("a/b").is_err());
        assert_eq!(format_share(1, 1), "1");
        assert_eq!(format_share(1, 3), "1/3");
    }

    #[test]
    fn shares_never_exceed_the_whole() {
        assert!(shares_fit(&[], (1, 1)));
        assert!(shares_fit(&[(1, 2)], (1, 2)));
        assert!(shares_fit(&[(1, 3), (1, 3)], (1, 3)));
        assert!(!shares_fit(&[(1, 3), (1, 3)], (1, 2)));
        assert!(!shares_fit(&[(1, 1)], (1, 100)));
        assert!(shares_fit(&[(1, 6), (1, 4)], (7, 12)));
        assert!(!shares_fit(&[(1, 6), (1, 4)], (8, 12)));
    }

    #[test]
    fn search_text_folds_case_and_yo() {
        assert_eq!(search_text("  Ёлкин   Пётр "), "елкин петр");
        assert_eq!(search_text("ул. Серебряная"), "ул. серебряная");
    }

    #[test]
    fn account_numbers_and_names() {
        assert_eq!(
            check_account_number(" 0100100012 "),
            Ok("0100100012".into())
        );
        assert!(check_account_number("12345").is_err());
        assert!(check_account_number("12345abc").is_err());
        assert_eq!(
            check_full_name("  Иванов   Иван "),
            Ok("Иванов Иван".into())
        );
        assert!(check_full_name("И").is_err());
    }
}
