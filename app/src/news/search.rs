//! FAQ search: Russian word forms, one typo, questions ranked first.
//!
//! The FAQ is small (tens of answers), so the search runs over the whole list in the server, the
//! same code on SQLite and PostgreSQL. Every word is reduced to its stem by Snowball's Russian
//! algorithm (`rust-stemmers`), so «счётчиков», «счетчики» and «счётчик» are one word. A query
//! word matches a text word when their stems are equal, when one stem begins with the other and
//! is at most two letters shorter («переда» finds «передач»: the same root), or, for a query word of five letters
//! or more, when the stems differ by one letter (a typo, or «оплач» against «оплат»), in that
//! order of strength. Every significant word of the query must match the question, the answer
//! or the section's title; words like «как» or «когда» only help the ranking. Matches in the
//! question rank first, then in the section's title, then in the answer.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::types::{FaqCategory, FaqItem};

/// Words too common to narrow a search: they rank but are not required.
const STOP_WORDS: &[&str] = &[
    "а",
    "в",
    "во",
    "где",
    "для",
    "до",
    "же",
    "за",
    "и",
    "из",
    "или",
    "как",
    "когда",
    "ли",
    "мне",
    "мой",
    "моя",
    "мои",
    "на",
    "не",
    "нужно",
    "о",
    "об",
    "от",
    "по",
    "почему",
    "с",
    "со",
    "сколько",
    "что",
    "это",
    "я",
    "у",
    "куда",
    "можно",
    "надо",
    "ко",
    "к",
];

/// How strongly a field counts when a word is found in it.
const IN_QUESTION: u32 = 100;
const IN_SECTION: u32 = 10;
const IN_ANSWER: u32 = 1;

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Russian))
}

/// A word of a query: its stem, whether it is required, and whether a typo is forgiven.
struct Term {
    stem: String,
    required: bool,
    fuzzy: bool,
}

/// The words of a text: lower case, `ё` as `е`, split at anything that is not a letter or digit.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('ё', "е"))
}

/// The stems of a text's words.
pub fn stems(text: &str) -> Vec<String> {
    words(text)
        .map(|w| stemmer().stem(&w).into_owned())
        .collect()
}

fn terms(query: &str) -> Vec<Term> {
    words(query)
        .map(|w| Term {
            required: !STOP_WORDS.contains(&w.as_str()),
            fuzzy: w.chars().count() >= 5,
            stem: stemmer().stem(&w).into_owned(),
        })
        .collect()
}

/// How well a query word matches a text word (both as stems): 3 the same stem, 2 one stem
/// begins the other, 1 one letter off; `None` no match.
fn quality(term: &Term, stem: &str) -> Option<u32> {
    let (q, s) = (term.stem.as_str(), stem);
    if q == s {
        return Some(3);
    }
    let (ql, sl) = (q.chars().count(), s.chars().count());
    // the same root: the shorter stem (3 letters at least) begins the longer one, which adds
    // at most two letters — «переда» and «передач», but not «счет» and «счетчик»
    let (short, long) = if ql <= sl { (q, s) } else { (s, q) };
    if ql.min(sl) >= 3 && ql.abs_diff(sl) <= 2 && long.starts_with(short) {
        return Some(2);
    }
    (term.fuzzy && ql >= 4 && sl >= 4 && strsim::osa_distance(q, s) <= 1).then_some(1)
}

/// The stems of one answer's fields.
struct Fields {
    question: Vec<String>,
    answer: Vec<String>,
}

/// How well an item matches: per query word the best of its fields' weight × the match's
/// quality; `None` when a required word is found nowhere.
fn score(terms: &[Term], item: &Fields, section: &[String]) -> Option<u32> {
    let mut total = 0;
    for term in terms {
        let best = |field: &[String]| field.iter().filter_map(|s| quality(term, s)).max();
        let found = [
            (IN_QUESTION, best(&item.question)),
            (IN_SECTION, best(section)),
            (IN_ANSWER, best(&item.answer)),
        ]
        .into_iter()
        .filter_map(|(weight, q)| q.map(|q| weight * q))
        .max();
        match found {
            Some(points) => total += points,
            None if term.required => return None,
            None => {}
        }
    }
    Some(total)
}

/// The FAQ filtered by a query: the sections that have matching answers, best first, each with
/// its matching answers, best first (in their own order when equal). An empty query (or one of
/// only punctuation) returns the FAQ as it is.
pub fn search(faq: Vec<FaqCategory>, query: &str) -> Vec<FaqCategory> {
    let terms = terms(query);
    if terms.is_empty() {
        return faq;
    }
    let mut found: Vec<(u32, FaqCategory)> = faq
        .into_iter()
        .filter_map(|category| {
            let section = stems(&category.title);
            let mut items: Vec<(u32, FaqItem)> = category
                .items
                .into_iter()
                .filter_map(|item| {
                    let fields = Fields {
                        question: stems(&item.question),
                        answer: stems(&item.answer),
                    };
                    score(&terms, &fields, &section).map(|s| (s, item))
                })
                .collect();
            items.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
            let best = items.first()?.0;
            Some((
                best,
                FaqCategory {
                    items: items.into_iter().map(|(_, i)| i).collect(),
                    ..category
                },
            ))
        })
        .collect();
    found.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    found.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, question: &str, answer: &str) -> FaqItem {
        FaqItem {
            id,
            question: question.into(),
            answer: answer.into(),
        }
    }

    fn faq() -> Vec<FaqCategory> {
        vec![
            FaqCategory {
                id: 1,
                title: "Показания счётчиков".into(),
                items: vec![
                    item(1, "Когда передавать показания?", "С 20 по 25 число."),
                    item(2, "Что будет, если забыть?", "Начислим по среднему."),
                ],
            },
            FaqCategory {
                id: 2,
                title: "Оплата".into(),
                items: vec![
                    item(3, "Когда платить?", "До 15 числа. Потом пени."),
                    item(4, "Как оплатить квитанцию?", "Картой в кабинете."),
                ],
            },
        ]
    }

    fn ids(found: &[FaqCategory]) -> Vec<i64> {
        found
            .iter()
            .flat_map(|c| c.items.iter().map(|i| i.id))
            .collect()
    }

    #[test]
    fn stems_are_snowball_russian_without_yo_and_case() {
        assert_eq!(stems("Счётчиков"), stems("счетчики"));
        assert_eq!(stems("показаниями"), stems("показания"));
        assert_eq!(stems("квитанцию"), stems("Квитанции"));
    }

    #[test]
    fn a_section_title_finds_its_answers_and_questions_rank_first() {
        // «счётчиков» is only in the section's title: both of its answers match
        assert_eq!(ids(&search(faq(), "счётчиков")), [1, 2]);
        // «оплата» is in item 4's question and in the section of item 3
        assert_eq!(ids(&search(faq(), "оплата")), [4, 3]);
    }

    #[test]
    fn every_significant_word_is_required_and_stop_words_are_not() {
        assert_eq!(
            ids(&search(faq(), "когда передавать показания счётчиков")),
            [1]
        );
        assert!(search(faq(), "показания лифт").is_empty());
        // a query of stop words only ranks: the question with «как» first
        assert_eq!(ids(&search(faq(), "как")), [4, 3, 1, 2]);
    }

    #[test]
    fn a_root_must_be_most_of_the_word() {
        // «счёт» (an account) is not «счётчик» (a meter)
        let faq = vec![FaqCategory {
            id: 3,
            title: "Оплата".into(),
            items: vec![item(5, "Где мой лицевой счёт?", "В кабинете.")],
        }];
        assert!(search(faq, "счётчиков").is_empty());
    }

    #[test]
    fn one_typo_is_forgiven_in_long_words_only() {
        assert_eq!(ids(&search(faq(), "квитанцыю")), [4]);
        assert_eq!(ids(&search(faq(), "пеня")), [3]);
        // a short word is taken as typed: «пани» is not «пени»
        assert!(search(faq(), "пани").is_empty());
    }

    #[test]
    fn an_empty_query_returns_everything_in_order() {
        assert_eq!(ids(&search(faq(), "  ,. ")), [1, 2, 3, 4]);
    }
}
