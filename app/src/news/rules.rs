//! Pure rules of news, announcements and the FAQ: the simple text formatting, the audience
//! field of the forms, and checks of what staff type.

use crate::notify::types::Audience;

/// A piece of formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Bold(String),
    /// `[text](https://…)`: only http(s) and site-local links become links.
    Link {
        text: String,
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Span>),
    /// Lines starting with `- ` or `* `.
    List(Vec<Vec<Span>>),
}

/// Reads the simple formatting staff type: paragraphs split by blank lines, `- ` lists,
/// `**bold**` and `[text](url)` links. Everything else is plain text (never HTML).
pub fn parse_text(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for chunk in text.replace("\r\n", "\n").split("\n\n") {
        let lines: Vec<&str> = chunk
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let is_item = |l: &&str| l.starts_with("- ") || l.starts_with("* ");
        if lines.iter().all(is_item) {
            blocks.push(Block::List(lines.iter().map(|l| spans(&l[2..])).collect()));
        } else {
            blocks.push(Block::Paragraph(spans(&lines.join("\n"))));
        }
    }
    blocks
}

/// The text without its formatting marks (for e-mail, SMS, push and excerpts): paragraphs
/// separated by blank lines, list items as `• ` lines, links as `text (url)`.
pub fn plain_text(text: &str) -> String {
    fn line(spans: &[Span]) -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Text(t) | Span::Bold(t) => t.clone(),
                Span::Link { text, url } => format!("{text} ({url})"),
            })
            .collect()
    }
    parse_text(text)
        .iter()
        .map(|b| match b {
            Block::Paragraph(s) => line(s),
            Block::List(items) => items
                .iter()
                .map(|i| format!("• {}", line(i)))
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn spans(line: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut text = String::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
        {
            flush(&mut text, &mut out);
            out.push(Span::Bold(after[..end].to_string()));
            rest = &after[end + 2..];
            continue;
        }
        if let Some(after) = rest.strip_prefix('[')
            && let Some((label, tail)) = after.split_once("](")
            && let Some((url, tail)) = tail.split_once(')')
            && !label.is_empty()
            && is_safe_url(url)
        {
            flush(&mut text, &mut out);
            out.push(Span::Link {
                text: label.to_string(),
                url: url.to_string(),
            });
            rest = tail;
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            text.push(c);
        }
        rest = chars.as_str();
    }
    flush(&mut text, &mut out);
    out
}

fn flush(text: &mut String, out: &mut Vec<Span>) {
    if !text.is_empty() {
        out.push(Span::Text(std::mem::take(text)));
    }
}

fn is_safe_url(url: &str) -> bool {
    let local = url.starts_with('/') && !url.starts_with("//");
    (local || url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(char::is_whitespace)
}

/// Reads the audience field of a form: `all`, `house:<id>`, `entrance:<id>` (the entrance's
/// house is filled in by the store, which knows it).
pub fn parse_audience(value: &str) -> Result<AudienceChoice, &'static str> {
    let bad = "Выберите, кому адресовано.";
    match value.split_once(':') {
        None if value == "all" => Ok(AudienceChoice::All),
        Some(("house", id)) => id.parse().map(AudienceChoice::House).map_err(|_| bad),
        Some(("entrance", id)) => id.parse().map(AudienceChoice::Entrance).map_err(|_| bad),
        _ => Err(bad),
    }
}

/// The audience as chosen in a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudienceChoice {
    All,
    House(i64),
    Entrance(i64),
}

/// The form value of a stored audience.
pub fn audience_value(audience: Audience) -> String {
    match (audience.house_id, audience.entrance_id) {
        (_, Some(e)) => format!("entrance:{e}"),
        (Some(h), None) => format!("house:{h}"),
        (None, None) => "all".to_string(),
    }
}

/// Checks a title and text staff typed; returns them trimmed.
pub fn check_post(title: &str, body: &str) -> Result<(String, String), &'static str> {
    let (title, body) = (title.trim(), body.trim());
    if title.is_empty() {
        return Err("Напишите заголовок.");
    }
    if title.chars().count() > 150 {
        return Err("Заголовок длиннее 150 знаков — сократите его.");
    }
    if body.is_empty() {
        return Err("Напишите текст.");
    }
    if body.chars().count() > 10_000 {
        return Err("Текст длиннее 10 000 знаков.");
    }
    Ok((title.to_string(), body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Span {
        Span::Text(s.to_string())
    }

    #[test]
    fn paragraphs_lists_bold_and_links() {
        let blocks = parse_text(
            "Уважаемые жители!\n\nС **10:00** отключат воду.\r\n\r\n- подъезд 1\n- подъезд 2\n\nПодробнее: [на сайте](https://example.ru/a) и [тут](/cabinet/faq).",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![t("Уважаемые жители!")]),
                Block::Paragraph(vec![
                    t("С "),
                    Span::Bold("10:00".into()),
                    t(" отключат воду.")
                ]),
                Block::List(vec![vec![t("подъезд 1")], vec![t("подъезд 2")]]),
                Block::Paragraph(vec![
                    t("Подробнее: "),
                    Span::Link {
                        text: "на сайте".into(),
                        url: "https://example.ru/a".into()
                    },
                    t(" и "),
                    Span::Link {
                        text: "тут".into(),
                        url: "/cabinet/faq".into()
                    },
                    t(".")
                ]),
            ]
        );
    }

    #[test]
    fn plain_text_drops_the_marks_but_keeps_the_sense() {
        assert_eq!(
            plain_text(
                "С **10:00** нет воды.\n\n- подъезд 1\n- подъезд 2\n\n[Подробнее](/cabinet/news)"
            ),
            "С 10:00 нет воды.\n\n• подъезд 1\n• подъезд 2\n\nПодробнее (/cabinet/news)"
        );
    }

    #[test]
    fn unsafe_links_and_html_stay_plain_text() {
        assert_eq!(
            parse_text("[x](javascript:alert(1)) <b>y</b> ** z"),
            vec![Block::Paragraph(vec![t(
                "[x](javascript:alert(1)) <b>y</b> ** z"
            )])]
        );
        assert_eq!(parse_text("\n\n  \n"), vec![]);
    }

    #[test]
    fn audience_values_round_trip() {
        assert_eq!(parse_audience("all"), Ok(AudienceChoice::All));
        assert_eq!(parse_audience("house:2"), Ok(AudienceChoice::House(2)));
        assert_eq!(
            parse_audience("entrance:7"),
            Ok(AudienceChoice::Entrance(7))
        );
        assert!(parse_audience("house:x").is_err());
        assert!(parse_audience("").is_err());
        let a = Audience {
            house_id: Some(1),
            entrance_id: Some(7),
        };
        assert_eq!(audience_value(a), "entrance:7");
        assert_eq!(audience_value(Audience::default()), "all");
    }

    #[test]
    fn posts_need_a_title_and_text_of_sane_length() {
        assert_eq!(
            check_post(" Вода ", " Нет "),
            Ok(("Вода".into(), "Нет".into()))
        );
        assert!(check_post("", "x").is_err());
        assert!(check_post("x", "  ").is_err());
        assert!(check_post(&"я".repeat(151), "x").is_err());
    }
}
