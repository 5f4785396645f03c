//! The payment confirmation (docs/domain.md «Card payments»): what was paid, for which accounts and periods, how
//! each share is spread over the services, the provider and its transaction id — one A4 PDF,
//! drawn like the bill.

use super::types::OnlinePaymentView;
use crate::billing::bill::{Canvas, LEFT, PAGE_H, RIGHT};
use crate::billing::rules::Payee;

/// The confirmation of payment `p` to the organisation `payee` (the payee of every bill).
pub fn render(p: &OnlinePaymentView, payee: Option<&Payee>) -> Vec<u8> {
    let mut c = Canvas::new();
    let mut y = 48.0;
    c.text(LEFT, y, 14.0, true, "ПОДТВЕРЖДЕНИЕ ОПЛАТЫ");
    c.text_right(RIGHT, y, 11.0, true, &format!("заказ {}", p.order_id));
    y += 26.0;
    let when = p
        .paid_at
        .unwrap_or(p.created_at)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let payee_text =
        payee.map_or_else(|| "—".to_string(), |p| format!("{}, ИНН {}", p.name, p.inn));
    for (label, value) in [
        ("Получатель", payee_text),
        ("Сумма", p.amount.label()),
        ("Статус", p.status.label().to_string()),
        ("Дата и время (МСК)", when),
        ("Способ", format!("банковская карта, {}", p.provider)),
        (
            "Идентификатор операции банка",
            p.provider_id.clone().unwrap_or_else(|| "—".into()),
        ),
    ] {
        c.text(LEFT, y, 10.0, false, label);
        c.text(240.0, y, 10.0, true, &value);
        y += 16.0;
    }
    if let Some(url) = &p.receipt_url {
        y = c.paragraph(LEFT, y, RIGHT - LEFT, 9.0, &format!("Кассовый чек: {url}"));
    }
    y += 10.0;
    c.line(LEFT, y, RIGHT, y);
    y += 18.0;
    for part in &p.parts {
        c.text(
            LEFT,
            y,
            10.0,
            true,
            &format!("Лицевой счёт {}", part.account_number),
        );
        c.text_right(RIGHT, y, 10.0, true, &part.amount.label());
        y += 14.0;
        y = c.paragraph(LEFT, y, RIGHT - LEFT, 9.0, &part.address);
        let period = match part.period {
            Some(period) => format!("За {}", period.label()),
            None => "В счёт долга, начиная с самого старого".to_string(),
        };
        y = c.paragraph(LEFT, y, RIGHT - LEFT, 9.0, &period);
        if let Some(service) = &part.service {
            y = c.paragraph(
                LEFT,
                y,
                RIGHT - LEFT,
                9.0,
                &format!("Только услуга: {service}"),
            );
        }
        if part.service.is_none() && !part.spread.is_empty() {
            y = c.paragraph(
                LEFT,
                y,
                RIGHT - LEFT,
                8.0,
                "Распределение по услугам (пропорционально начислениям):",
            );
            for (service, amount) in &part.spread {
                c.text(LEFT + 12.0, y, 8.0, false, service);
                c.text_right(RIGHT, y, 8.0, false, &amount.label());
                y += 11.0;
            }
        }
        y += 10.0;
        if y > PAGE_H - 80.0 {
            break;
        }
    }
    c.text(
        LEFT,
        PAGE_H - 30.0,
        6.5,
        false,
        "Документ сформирован системой «Ключ» и подтверждает зачисление платежа на лицевые счета.",
    );
    c.finish()
}
