//! Numbers as Russian texts write them: digits in groups of three split by a no-break space.
//! Appending to a `String` in place, so the accrual run's tens of thousands of formulas are
//! written without a temporary text per number.

use std::fmt::Write;

/// Appends `n` with its thousands grouped: `1 234 567`.
pub fn push_grouped(out: &mut String, n: u128) {
    let mut digits = [0u8; 39];
    let (mut start, mut rest) = (digits.len(), n);
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = &digits[start..];
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(char::from(*d));
    }
}

/// Appends `n` as exactly `width` digits, zeros in front: the fraction after a comma.
pub fn push_padded(out: &mut String, n: u128, width: usize) {
    let _ = write!(out, "{n:0width$}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_from_the_right() {
        let grouped = |n| {
            let mut s = String::new();
            push_grouped(&mut s, n);
            s
        };
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1\u{a0}000");
        assert_eq!(grouped(1234567), "1\u{a0}234\u{a0}567");
        assert_eq!(grouped(u128::MAX).matches('\u{a0}').count(), 12);
        let mut s = String::from("x");
        push_padded(&mut s, 5, 3);
        assert_eq!(s, "x005");
    }
}
