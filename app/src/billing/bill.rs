//! The bill (ЕПД, Приказ Минстроя 43/пр; docs/domain.md «The bill») as a one-page A4 PDF, written directly:
//! DejaVu Sans embedded as a CID font (subset once to the glyphs of Russian and Latin text, so
//! every bill reuses the same ~50 KB font program), the ГОСТ Р 56042 QR drawn as vector squares,
//! and the turnover sheet as XLSX.

use std::collections::HashMap;
use std::io::Write;
use std::sync::OnceLock;

use rust_decimal::Decimal;

use super::rules::{self, Payee, QrPayment};
use super::types::*;
use crate::readings::rules::format_value;

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What one bill shows.
#[derive(Debug, Clone)]
pub struct BillData {
    pub payee: Payee,
    pub account_number: String,
    pub payer: String,
    /// House address without the flat.
    pub address: String,
    pub flat: String,
    pub area: Decimal,
    pub persons: i64,
    pub month: MonthStatement,
}

impl BillData {
    /// The PDF's file name: `epd-<account>-<period>.pdf`.
    pub fn file_name(&self) -> String {
        format!("epd-{}-{}.pdf", self.account_number, self.month.period)
    }

    /// The total to pay: the month's closing debt (nothing when it is an advance).
    pub fn to_pay(&self) -> Money {
        Money(self.month.closing.0.max(0))
    }

    /// The QR payload printed on the bill.
    pub fn qr_payload(&self) -> String {
        rules::qr_payload(
            &self.payee,
            &QrPayment {
                account_number: &self.account_number,
                period: self.month.period,
                sum: self.to_pay(),
                penalties: self.month.penalties,
                payer: &self.payer,
                address: &format!("{}, кв. {}", self.address, self.flat),
                flat: &self.flat,
            },
        )
    }
}

/// A font prepared once: the subset program (deflated) and, per character, the glyph id in
/// the subset and its advance.
struct Font {
    program: Vec<u8>,
    glyphs: HashMap<char, (u16, u16)>,
    units: f64,
    ascent: i16,
    descent: i16,
    bbox: [i16; 4],
    widths: String,
    to_unicode: Vec<u8>,
}

/// Every character a bill may print; anything else prints as «?».
fn charset() -> impl Iterator<Item = char> {
    (' '..='~')
        .chain('А'..='я')
        .chain("ЁёІі№«»—–·₽×−²³…’“”€".chars())
}

impl Font {
    fn load(data: &[u8]) -> Font {
        let face = ttf_parser::Face::parse(data, 0).expect("the bundled font parses");
        let mut remapper = subsetter::GlyphRemapper::new();
        let mut glyphs = HashMap::new();
        let mut widths = String::from("[");
        let mut unicode = String::new();
        let mut count = 0;
        for c in charset() {
            let Some(gid) = face.glyph_index(c) else {
                continue;
            };
            let new = remapper.remap(gid.0);
            let advance = face.glyph_hor_advance(gid).unwrap_or(0);
            if glyphs.insert(c, (new, advance)).is_none() {
                let scaled = f64::from(advance) * 1000.0 / f64::from(face.units_per_em());
                widths.push_str(&format!("{new} [{}] ", scaled.round() as i64));
                unicode.push_str(&format!("<{new:04X}> <{:04X}>\n", c as u32));
                count += 1;
            }
        }
        widths.push(']');
        let subset = subsetter::subset(data, 0, &remapper).expect("the bundled font subsets");
        let bbox = face.global_bounding_box();
        let to_unicode = format!(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
             1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
             {count} beginbfchar\n{unicode}endbfchar\n\
             endcmap CMapName currentdict /CMap defineresource pop end end"
        );
        Font {
            program: deflate(&subset),
            glyphs,
            units: f64::from(face.units_per_em()),
            ascent: face.ascender(),
            descent: face.descender(),
            bbox: [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max],
            widths,
            to_unicode: deflate(to_unicode.as_bytes()),
        }
    }

    /// The glyph of a character (a no-break space prints as a space).
    fn glyph(&self, c: char) -> (u16, u16) {
        let c = if c == '\u{a0}' { ' ' } else { c };
        self.glyphs
            .get(&c)
            .or_else(|| self.glyphs.get(&'?'))
            .copied()
            .unwrap_or((0, 0))
    }

    fn width(&self, text: &str, size: f64) -> f64 {
        text.chars()
            .map(|c| f64::from(self.glyph(c).1))
            .sum::<f64>()
            * size
            / self.units
    }

    fn hex(&self, text: &str) -> String {
        text.chars()
            .map(|c| format!("{:04X}", self.glyph(c).0))
            .collect()
    }
}

fn fonts() -> &'static (Font, Font) {
    static FONTS: OnceLock<(Font, Font)> = OnceLock::new();
    FONTS.get_or_init(|| (Font::load(REGULAR_TTF), Font::load(BOLD_TTF)))
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // writing into a Vec cannot fail
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A page's drawing operators, top-left origin in points (A4: 595 × 842); every PDF Ключ
/// writes (the bill, the payment confirmation) is drawn on one.
pub(crate) struct Canvas {
    ops: String,
}

const PAGE_W: f64 = 595.0;
pub(crate) const PAGE_H: f64 = 842.0;
pub(crate) const LEFT: f64 = 36.0;
pub(crate) const RIGHT: f64 = PAGE_W - 36.0;

impl Canvas {
    pub(crate) fn new() -> Canvas {
        Canvas { ops: String::new() }
    }

    /// The page as a PDF with the fonts embedded.
    pub(crate) fn finish(self) -> Vec<u8> {
        assemble(&self.ops)
    }

    pub(crate) fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, text: &str) {
        let (regular, heavy) = fonts();
        let font = if bold { heavy } else { regular };
        self.ops.push_str(&format!(
            "BT /{} {size} Tf {x:.2} {:.2} Td <{}> Tj ET\n",
            if bold { "F2" } else { "F1" },
            PAGE_H - y,
            font.hex(text)
        ));
    }

    pub(crate) fn text_right(&mut self, right: f64, y: f64, size: f64, bold: bool, text: &str) {
        let w = width(text, size, bold);
        self.text(right - w, y, size, bold, text);
    }

    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.ops.push_str(&format!(
            "0.6 w {x1:.2} {:.2} m {x2:.2} {:.2} l S\n",
            PAGE_H - y1,
            PAGE_H - y2
        ));
    }

    fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, gray: f64) {
        self.ops.push_str(&format!(
            "{gray} g {x:.2} {:.2} {w:.2} {h:.2} re f 0 g\n",
            PAGE_H - y - h
        ));
    }

    /// Wrapped text; returns the y below it.
    pub(crate) fn paragraph(
        &mut self,
        x: f64,
        mut y: f64,
        max_w: f64,
        size: f64,
        text: &str,
    ) -> f64 {
        for line in text.lines() {
            for piece in wrap(line, max_w, size) {
                self.text(x, y, size, false, &piece);
                y += size * 1.3;
            }
        }
        y
    }
}

fn width(text: &str, size: f64, bold: bool) -> f64 {
    let (regular, heavy) = fonts();
    if bold { heavy } else { regular }.width(text, size)
}

/// Splits a line into pieces no wider than `max_w` at spaces.
fn wrap(line: &str, max_w: f64, size: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if width(&candidate, size, false) > max_w && !current.is_empty() {
            out.push(std::mem::take(&mut current));
            current = word.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Renders bills on every core, keeping their order.
pub fn render_all<K: Send>(bills: Vec<(K, BillData)>) -> Vec<(K, BillData, Vec<u8>)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = bills.len().div_ceil(threads).max(1);
    let mut parts: Vec<Vec<(K, BillData)>> = Vec::new();
    let mut bills = bills.into_iter().peekable();
    while bills.peek().is_some() {
        parts.push(bills.by_ref().take(per_thread).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|(key, data)| {
                            let pdf = render(&data);
                            (key, data, pdf)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // a panicking render is a bug; its thread's panic is re-raised here
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Draws the QR of `payload` with its top-left corner at (x, y), `size` points wide.
fn qr(c: &mut Canvas, payload: &str, x: f64, y: f64, size: f64) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M) else {
        return;
    };
    let n = code.width();
    // four modules of quiet zone on each side
    let module = size / (n + 8) as f64;
    c.fill(x, y, size, size, 1.0);
    let colors = code.to_colors();
    // one rectangle per horizontal run of dark modules
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            c.fill(
                x + (start + 4) as f64 * module,
                y + (row + 4) as f64 * module,
                (col - start) as f64 * module,
                module + 0.02,
                0.0,
            );
        }
    }
}

/// The bill as PDF bytes.
pub fn render(b: &BillData) -> Vec<u8> {
    let m = &b.month;
    let mut c = Canvas::new();
    let mut y = 40.0;
    c.text(LEFT, y, 14.0, true, "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ");
    c.text_right(RIGHT, y, 11.0, true, &format!("за {}", m.period.label()));
    y += 22.0;
    // section 1: payer and executor
    c.text(LEFT, y, 8.0, true, "Плательщик");
    c.text(
        300.0,
        y,
        8.0,
        true,
        "Исполнитель услуг (получатель платежа)",
    );
    y += 12.0;
    let left = [
        b.payer.clone(),
        format!("{}, кв. {}", b.address, b.flat),
        format!("Лицевой счёт: {}", b.account_number),
        format!(
            "Площадь: {} м²; зарегистрировано: {} чел.",
            b.area.to_string().replace('.', ","),
            b.persons
        ),
    ];
    let right = [
        b.payee.name.clone(),
        format!("ИНН {} КПП {}", b.payee.inn, b.payee.kpp),
        format!("р/с {} в {}", b.payee.account, b.payee.bank_name),
        format!("БИК {} к/с {}", b.payee.bic, b.payee.corr_account),
    ];
    let (mut yl, mut yr) = (y, y);
    for line in left {
        yl = c.paragraph(LEFT, yl, 250.0, 8.0, &line);
    }
    for line in right {
        yr = c.paragraph(300.0, yr, 259.0, 8.0, &line);
    }
    y = yl.max(yr) + 4.0;
    c.line(LEFT, y, RIGHT, y);
    y += 14.0;
    // section 2: the payment with its QR
    let qr_top = y - 6.0;
    c.text(LEFT, y, 8.0, true, "Расчёт к оплате");
    y += 14.0;
    let rows = [
        (
            if m.opening.0 >= 0 {
                "Долг на начало периода"
            } else {
                "Аванс на начало периода"
            },
            Money(m.opening.0.abs()),
        ),
        ("Начислено за период", m.charged),
        ("Перерасчёты", m.corrections.iter().map(|e| e.amount).sum()),
        ("Пени", m.penalties),
        ("Оплачено в периоде", m.paid),
    ];
    for (label, amount) in rows {
        c.text(LEFT, y, 9.0, false, label);
        c.text_right(380.0, y, 9.0, false, &amount.label());
        y += 13.0;
    }
    y += 4.0;
    c.fill(LEFT, y - 11.0, 344.0, 17.0, 0.92);
    c.text(LEFT + 4.0, y, 11.0, true, "ИТОГО К ОПЛАТЕ");
    c.text_right(376.0, y, 11.0, true, &b.to_pay().label());
    y += 16.0;
    c.text(
        LEFT,
        y,
        9.0,
        false,
        &format!("Оплатить до {}", m.due_on.format("%d.%m.%Y")),
    );
    qr(&mut c, &b.qr_payload(), 430.0, qr_top, 129.0);
    c.text_right(
        RIGHT,
        qr_top + 136.0,
        6.5,
        false,
        "Оплата по QR-коду в приложении банка",
    );
    y = y.max(qr_top + 146.0);
    c.line(LEFT, y, RIGHT, y);
    y += 14.0;
    // section 3: charges per service
    c.text(LEFT, y, 8.0, true, "Начисления за период");
    y += 12.0;
    let cols = [LEFT, 250.0, 330.0, 400.0, RIGHT];
    c.fill(LEFT, y - 9.0, RIGHT - LEFT, 13.0, 0.92);
    c.text(cols[0] + 2.0, y, 7.5, true, "Услуга");
    c.text_right(cols[1] + 60.0, y, 7.5, true, "Объём");
    c.text_right(cols[2] + 40.0, y, 7.5, true, "Ед.");
    c.text_right(cols[3] + 70.0, y, 7.5, true, "Тариф, ₽");
    c.text_right(cols[4], y, 7.5, true, "Начислено, ₽");
    y += 14.0;
    let mut sections: Vec<Option<Section>> = m
        .lines
        .iter()
        .filter(|l| !l.penalty)
        .map(|l| l.section)
        .collect();
    sections.dedup();
    let mut seen = Vec::new();
    for section in sections {
        if seen.contains(&section) {
            continue;
        }
        seen.push(section);
        if let Some(s) = section {
            c.text(LEFT, y, 7.5, true, s.label());
            y += 11.0;
        }
        for l in m
            .lines
            .iter()
            .filter(|l| !l.penalty && l.section == section)
        {
            c.text(LEFT + 6.0, y, 8.0, false, &l.service);
            c.text_right(cols[1] + 60.0, y, 8.0, false, &format_value(l.quantity));
            c.text_right(cols[2] + 40.0, y, 8.0, false, &l.unit);
            c.text_right(cols[3] + 70.0, y, 8.0, false, &rules::format_rate(l.rate));
            c.text_right(cols[4], y, 8.0, false, &l.amount.label());
            y += 11.0;
        }
    }
    for e in &m.corrections {
        c.text(
            LEFT + 6.0,
            y,
            8.0,
            false,
            &format!("Перерасчёт: {}", e.reason),
        );
        c.text_right(cols[4], y, 8.0, false, &e.amount.label());
        y += 11.0;
    }
    c.line(LEFT, y - 6.0, RIGHT, y - 6.0);
    y += 4.0;
    c.text(LEFT, y, 8.5, true, "Итого начислено за период");
    c.text_right(cols[4], y, 8.5, true, &m.charged.label());
    y += 16.0;
    // penalties with their calculation
    let penalties: Vec<&LineView> = m.lines.iter().filter(|l| l.penalty).collect();
    if !penalties.is_empty() {
        c.text(LEFT, y, 8.0, true, "Пени (ЖК РФ ст. 155 ч. 14)");
        y += 11.0;
        for l in penalties {
            y = c.paragraph(LEFT + 6.0, y, RIGHT - LEFT - 6.0, 7.0, &l.explanation);
        }
        y += 4.0;
    }
    // reference: how the volumes were found
    c.text(LEFT, y, 8.0, true, "Справочно: как определён объём");
    y += 11.0;
    for l in m.lines.iter().filter(|l| !l.penalty) {
        if y > PAGE_H - 60.0 {
            break;
        }
        let first = l.explanation.lines().next().unwrap_or_default();
        y = c.paragraph(
            LEFT + 6.0,
            y,
            RIGHT - LEFT - 6.0,
            6.5,
            &format!("{}: {first}", l.service),
        );
    }
    c.text(LEFT, PAGE_H - 30.0, 6.5, false, "Документ сформирован системой «Ключ». Вопросы по начислениям — в кабинете жителя или у бухгалтера.");
    c.finish()
}

/// Wraps page content into a PDF with the two embedded fonts.
fn assemble(content: &str) -> Vec<u8> {
    let (regular, bold) = fonts();
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let stream = |dict: &str, data: &[u8]| -> Vec<u8> {
        let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        v.extend_from_slice(data);
        v.extend_from_slice(b"\nendstream");
        v
    };
    let page_content = deflate(content.as_bytes());
    // 1 catalog, 2 pages, 3 page, 4 content, 5–9 regular font, 10–14 bold font
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 5 0 R /F2 10 0 R >> >> /Contents 4 0 R >>"
        )
        .as_bytes(),
    );
    object(&mut out, &stream("/Filter /FlateDecode", &page_content));
    for (font, first, name) in [(regular, 5, "DejaVuSans"), (bold, 10, "DejaVuSans-Bold")] {
        let tag = format!("KLYUCH+{name}");
        object(
            &mut out,
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{tag} /Encoding /Identity-H \
                 /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                first + 1,
                first + 4
            )
            .as_bytes(),
        );
        object(
            &mut out,
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{tag} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {} 0 R /W {} /CIDToGIDMap /Identity >>",
                first + 2,
                font.widths
            )
            .as_bytes(),
        );
        let scale = |v: i16| (f64::from(v) * 1000.0 / font.units).round() as i64;
        object(
            &mut out,
            format!(
                "<< /Type /FontDescriptor /FontName /{tag} /Flags 32 \
                 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} \
                 /CapHeight {} /StemV 80 /FontFile2 {} 0 R >>",
                scale(font.bbox[0]),
                scale(font.bbox[1]),
                scale(font.bbox[2]),
                scale(font.bbox[3]),
                scale(font.ascent),
                scale(font.descent),
                scale(font.ascent),
                first + 3
            )
            .as_bytes(),
        );
        object(&mut out, &stream("/Filter /FlateDecode", &font.program));
        object(&mut out, &stream("/Filter /FlateDecode", &font.to_unicode));
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The turnover sheet as an XLSX workbook.
pub fn turnover_xlsx(
    address: &str,
    period: Period,
    rows: &[TurnoverRow],
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let money = Format::new().set_num_format("# ##0.00");
    let bold = Format::new().set_bold();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    sheet.set_name("ОСВ").map_err(e)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "Оборотно-сальдовая ведомость: {address}, {}",
                period.label()
            ),
            &bold,
        )
        .map_err(e)?;
    let head = [
        "Лицевой счёт",
        "Квартира",
        "Собственник",
        "Сальдо на начало",
        "Начислено",
        "Пени",
        "Перерасчёты",
        "Оплачено",
        "Сальдо на конец",
    ];
    for (i, h) in head.iter().enumerate() {
        sheet
            .write_string_with_format(2, i as u16, *h, &bold)
            .map_err(e)?;
    }
    let rub = |m: Money| m.0 as f64 / 100.0;
    let mut totals = [Money::ZERO; 6];
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string(row, 0, &r.account).map_err(e)?;
        sheet.write_string(row, 1, &r.apartment).map_err(e)?;
        sheet.write_string(row, 2, &r.owner).map_err(e)?;
        for (j, m) in [
            r.opening,
            r.charged,
            r.penalties,
            r.corrections,
            r.paid,
            r.closing,
        ]
        .into_iter()
        .enumerate()
        {
            sheet
                .write_number_with_format(row, 3 + j as u16, rub(m), &money)
                .map_err(e)?;
            totals[j] += m;
        }
    }
    let last = 3 + rows.len() as u32;
    sheet
        .write_string_with_format(last, 0, "Итого", &bold)
        .map_err(e)?;
    for (j, m) in totals.into_iter().enumerate() {
        sheet
            .write_number_with_format(last, 3 + j as u16, rub(m), &money)
            .map_err(e)?;
    }
    sheet.set_column_width(0, 14).map_err(e)?;
    sheet.set_column_width(2, 32).map_err(e)?;
    for j in 3..9 {
        sheet.set_column_width(j, 16).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}
