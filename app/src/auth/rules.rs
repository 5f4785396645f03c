//! Pure rules of the auth area: who may do what, how logins, passwords and invite codes look, and
//! when sign-in attempts are limited. No I/O; the browser uses the same checks for instant hints.

use super::types::{Permission, Role};

/// Whether `role` has `permission`.
pub fn role_can(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Resident => matches!(permission, OwnCabinet | OwnNotifications),
        Role::Accountant => matches!(
            permission,
            ViewRegister
                | StaffCabinet
                | OwnNotifications
                | EnterReadings
                | ManageMeters
                | ClosePeriods
                | ManageBilling
                | ManageDebts
        ),
        Role::Dispatcher => matches!(
            permission,
            ViewRegister
                | StaffCabinet
                | OwnNotifications
                | Publish
                | EditTemplates
                | EnterReadings
                | ManageTickets
                | GuardPost
                | ManagePasses
        ),
        Role::Executor => matches!(permission, StaffCabinet | OwnNotifications | WorkTickets),
        Role::Guard => matches!(permission, StaffCabinet | OwnNotifications | GuardPost),
        Role::Council => !matches!(permission, OwnCabinet | GrantCouncil | ManageOrganisation),
        Role::Chair => true,
    }
}

/// Whether `actor` may give `target` to someone (or take it away from them).
pub fn may_assign_role(actor: Role, target: Role) -> bool {
    match target {
        Role::Council | Role::Chair => role_can(actor, Permission::GrantCouncil),
        _ => role_can(actor, Permission::ManageUsers),
    }
}

/// Where a user lands after signing in.
pub fn landing(role: Role) -> &'static str {
    if role == Role::Executor {
        "/staff/work"
    } else if role == Role::Guard {
        "/staff/gate"
    } else if role.is_staff() {
        "/staff"
    } else {
        "/cabinet"
    }
}

/// The page to return to after sign-in: only a local path of this site, never another host.
pub fn safe_next(next: &str, role: Role) -> String {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    let fits_role = next.starts_with("/join/")
        || if role.is_staff() {
            next.starts_with("/staff")
        } else {
            next.starts_with("/cabinet")
        };
    if local && fits_role {
        next.to_string()
    } else {
        landing(role).to_string()
    }
}

/// A sign-in identifier, normalised: e-mails lower-cased, phones as `+7XXXXXXXXXX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(String),
    Phone(String),
}

impl Login {
    pub fn as_str(&self) -> &str {
        match self {
            Login::Email(s) | Login::Phone(s) => s,
        }
    }
}

/// Reads what a person typed as their e-mail or phone.
pub fn parse_login(input: &str) -> Result<Login, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Укажите e-mail или телефон.");
    }
    if s.contains('@') {
        return parse_email(s).map(Login::Email);
    }
    parse_phone(s).map(Login::Phone)
}

pub fn parse_email(input: &str) -> Result<String, &'static str> {
    let s = input.trim().to_lowercase();
    let bad = "Проверьте e-mail: нужен адрес вида name@example.ru.";
    let (local, domain) = s.split_once('@').ok_or(bad)?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254;
    if ok { Ok(s) } else { Err(bad) }
}

/// Russian mobile and landline numbers: `8 (912) 345-67-89`, `+7 912 3456789`, `9123456789`.
pub fn parse_phone(input: &str) -> Result<String, &'static str> {
    let bad = "Проверьте телефон: нужен номер вида +7 912 345-67-89.";
    if input
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
    {
        return Err(bad);
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        10 => digits.as_str(),
        11 if digits.starts_with('7') || digits.starts_with('8') => &digits[1..],
        _ => return Err(bad),
    };
    Ok(format!("+7{national}"))
}

/// A stored phone (`+79161234567`) as people read it: `+7 916 123-45-67`. Anything else is
/// shown as it is.
pub fn format_phone(stored: &str) -> String {
    let digits = stored
        .strip_prefix("+7")
        .filter(|d| d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit()));
    match digits {
        Some(d) => format!("+7 {} {}-{}-{}", &d[0..3], &d[3..6], &d[6..8], &d[8..10]),
        None => stored.to_string(),
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;

/// The password policy: long enough, not blank-padded, not all one character.
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err("Пароль должен быть не короче 8 символов.");
    }
    if password.chars().count() > 128 {
        return Err("Пароль слишком длинный (больше 128 символов).");
    }
    if password.trim() != password {
        return Err("Пароль не должен начинаться или заканчиваться пробелом.");
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("Пароль из одного повторяющегося символа слишком простой.");
    }
    Ok(())
}

/// Invite codes: 12 characters of Crockford's base32 (no I, L, O, U), printed as `XXXX-XXXX-XXXX`.
pub const INVITE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const INVITE_CODE_LEN: usize = 12;

/// Formats 12 random symbol indexes (0..32) as a printed code.
pub fn format_invite_code(symbols: &[u8; INVITE_CODE_LEN]) -> String {
    let chars: String = symbols
        .iter()
        .map(|&i| INVITE_ALPHABET[(i & 31) as usize] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

/// Reads a code as a person may type it: any case, with or without dashes and spaces, and with the
/// look-alikes O→0, I/L→1. Returns the canonical 12 characters, or `None` if it cannot be a code.
pub fn normalize_invite_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(INVITE_CODE_LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !INVITE_ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == INVITE_CODE_LEN).then_some(out)
}

/// Limits on failed attempts within [`ATTEMPT_WINDOW_MINUTES`]: per login (a guessed password)
/// and per client address (many logins tried from one place).
pub const ATTEMPT_WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_LOGIN: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;

/// Whether another attempt is allowed after these many recent failures.
pub fn attempts_allowed(failures_for_login: i64, failures_from_address: i64) -> bool {
    failures_for_login < MAX_FAILURES_PER_LOGIN && failures_from_address < MAX_FAILURES_PER_ADDRESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_residents_have_the_resident_cabinet_and_only_staff_the_register() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(
                role_can(role, Permission::ViewRegister),
                role.is_staff() && !matches!(role, Role::Executor | Role::Guard),
                "{role:?}"
            );
            assert_eq!(
                role_can(role, Permission::StaffCabinet),
                role.is_staff(),
                "{role:?}"
            );
        }
        assert!(role_can(Role::Resident, Permission::OwnCabinet));
        assert!(!role_can(Role::Resident, Permission::EditRegister));
        assert!(!role_can(Role::Accountant, Permission::EditRegister));
        assert!(!role_can(Role::Dispatcher, Permission::ManageUsers));
        assert!(role_can(Role::Council, Permission::ManageInvites));
        assert!(!role_can(Role::Council, Permission::GrantCouncil));
        assert!(role_can(Role::Chair, Permission::GrantCouncil));
        // the payee on every bill is the chair's to change, no one else's
        for role in Role::ALL.iter().copied() {
            assert_eq!(
                role_can(role, Permission::ManageOrganisation),
                role == Role::Chair,
                "{role:?}"
            );
        }
        assert!(role_can(Role::Dispatcher, Permission::Publish));
        assert!(!role_can(Role::Accountant, Permission::Publish));
        assert!(!role_can(Role::Resident, Permission::EditTemplates));
        assert!(!role_can(Role::Dispatcher, Permission::ViewDevMailbox));
        assert!(role_can(Role::Council, Permission::ViewDevMailbox));
        for role in Role::ALL.iter().copied() {
            assert!(role_can(role, Permission::OwnNotifications), "{role:?}");
        }
    }

    #[test]
    fn executors_reach_their_work_only_and_dispatchers_run_the_board() {
        let ex = Role::Executor;
        assert!(role_can(ex, Permission::WorkTickets));
        for p in [
            Permission::ViewRegister,
            Permission::ManageTickets,
            Permission::OwnCabinet,
            Permission::ViewReports,
            Permission::Publish,
        ] {
            assert!(!role_can(ex, p), "{p:?}");
        }
        assert!(role_can(Role::Dispatcher, Permission::ManageTickets));
        assert!(!role_can(Role::Accountant, Permission::ManageTickets));
        assert!(!role_can(Role::Dispatcher, Permission::ViewReports));
        assert!(role_can(Role::Council, Permission::ViewReports));
        assert_eq!(landing(ex), "/staff/work");
    }

    #[test]
    fn debts_are_for_the_accountant_the_council_and_the_chair() {
        for role in Role::ALL.iter().copied() {
            let expected = matches!(role, Role::Accountant | Role::Council | Role::Chair);
            assert_eq!(
                role_can(role, Permission::ManageDebts),
                expected,
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_the_chair_grants_council_roles() {
        assert!(may_assign_role(Role::Council, Role::Accountant));
        assert!(!may_assign_role(Role::Council, Role::Council));
        assert!(!may_assign_role(Role::Council, Role::Chair));
        assert!(may_assign_role(Role::Chair, Role::Council));
        assert!(!may_assign_role(Role::Accountant, Role::Dispatcher));
        assert!(!may_assign_role(Role::Resident, Role::Resident));
    }

    #[test]
    fn sign_in_returns_only_to_local_pages_of_the_role() {
        assert_eq!(
            safe_next("/cabinet/profile", Role::Resident),
            "/cabinet/profile"
        );
        assert_eq!(
            safe_next("//evil.example/cabinet", Role::Resident),
            "/cabinet"
        );
        assert_eq!(
            safe_next("https://evil.example", Role::Resident),
            "/cabinet"
        );
        assert_eq!(safe_next("/staff/users", Role::Resident), "/cabinet");
        assert_eq!(safe_next("", Role::Accountant), "/staff");
        assert_eq!(safe_next("/staff/users", Role::Council), "/staff/users");
        assert_eq!(
            safe_next("/join/ABCD-EFGH-JKMN", Role::Resident),
            "/join/ABCD-EFGH-JKMN"
        );
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn phones_are_normalised_to_plus_seven() {
        let cases = [
            ("8 (912) 345-67-89", Ok("+79123456789")),
            ("+7 912 3456789", Ok("+79123456789")),
            ("9123456789", Ok("+79123456789")),
            ("7-495-123-45-67", Ok("+74951234567")),
            ("12345", Err(())),
            ("+1 912 345 67 89 0", Err(())),
            ("9123456789x", Err(())),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_phone(input).map_err(|_| ()),
                want.map(str::to_string),
                "{input}"
            );
        }
    }

    #[test]
    fn phones_are_shown_grouped() {
        assert_eq!(format_phone("+79161234567"), "+7 916 123-45-67");
        assert_eq!(
            format_phone(&parse_phone("8 (495) 123 45 67").unwrap()),
            "+7 495 123-45-67"
        );
        assert_eq!(format_phone("12-34"), "12-34");
    }

    #[test]
    fn logins_are_emails_or_phones() {
        assert_eq!(
            parse_login(" Zhitel@Demo.Klyuch.RU "),
            Ok(Login::Email("zhitel@demo.klyuch.ru".into()))
        );
        assert_eq!(
            parse_login("89123456789"),
            Ok(Login::Phone("+79123456789".into()))
        );
        assert!(parse_login("").is_err());
        assert!(parse_login("a@b").is_err());
        assert!(parse_login("@mail.ru").is_err());
        assert!(parse_login("ivan petrov@mail.ru").is_err());
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("demo-klyuch-2026").is_ok());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("aaaaaaaaaa").is_err());
        assert!(check_new_password(" leading-space").is_err());
        assert!(check_new_password("пароль-кириллицей").is_ok());
    }

    #[test]
    fn invite_codes_print_and_read_back() {
        let symbols = [0, 1, 2, 3, 10, 11, 12, 13, 28, 29, 30, 31];
        let code = format_invite_code(&symbols);
        assert_eq!(code, "0123-ABCD-WXYZ");
        assert_eq!(
            normalize_invite_code(&code).as_deref(),
            Some("0123ABCDWXYZ")
        );
        assert_eq!(
            normalize_invite_code("o123 abcd wxyz").as_deref(),
            Some("0123ABCDWXYZ")
        );
        assert_eq!(
            normalize_invite_code("i1l1-ABCD-WXYZ").as_deref(),
            Some("1111ABCDWXYZ")
        );
        assert_eq!(normalize_invite_code("0123-ABCD-WXY"), None);
        assert_eq!(normalize_invite_code("0123-ABCD-WXYU"), None);
        assert_eq!(normalize_invite_code("0123-ABCD-WXYЖ"), None);
    }

    #[test]
    fn attempts_are_limited_per_login_and_per_address() {
        assert!(attempts_allowed(0, 0));
        assert!(attempts_allowed(
            MAX_FAILURES_PER_LOGIN - 1,
            MAX_FAILURES_PER_ADDRESS - 1
        ));
        assert!(!attempts_allowed(MAX_FAILURES_PER_LOGIN, 0));
        assert!(!attempts_allowed(0, MAX_FAILURES_PER_ADDRESS));
    }
}
