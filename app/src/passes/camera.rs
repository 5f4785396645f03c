//! What a plate-reading camera posts, read into one [`PlateRead`]: Ключ's generic JSON webhook
//! and Hikvision's ISAPI `EventNotificationAlert` (the XML a Hikvision ANPR camera sends to its
//! "HTTP listening" host, alone or as the `anpr.xml` part of a multipart body with the pictures).

use chrono::{DateTime, Utc};
use quick_xml::events::Event;

/// The largest snapshot kept with a read.
pub const MAX_SNAPSHOT_BYTES: usize = 2 * 1024 * 1024;

/// One plate read as a camera reported it (the plate not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlateRead {
    /// The camera's own id of the event: the same id again is a replay.
    pub event_key: String,
    /// The camera the event names itself, if it does (must be the one of the address).
    pub camera: Option<String>,
    /// As read: `A123BC77`, `unknown`, …
    pub plate: String,
    /// 0–100.
    pub confidence: u8,
    /// When the camera saw the car, if it says.
    pub at: Option<DateTime<Utc>>,
    /// A JPEG of the car.
    pub snapshot: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// A well-formed event of another kind (a heartbeat, motion): taken and ignored.
    #[error("not a plate event: {0}")]
    NotAPlate(String),
    #[error("malformed event: {0}")]
    Malformed(String),
}

fn malformed(what: impl Into<String>) -> EventError {
    EventError::Malformed(what.into())
}

/// The generic webhook's body.
#[derive(Debug, serde::Deserialize)]
struct GenericEvent {
    event_id: String,
    #[serde(default)]
    camera_id: Option<String>,
    plate: String,
    confidence: f64,
    #[serde(default)]
    time: Option<DateTime<chrono::FixedOffset>>,
    /// Base64 of a JPEG.
    #[serde(default)]
    snapshot: Option<String>,
}

/// `{"event_id", "camera_id"?, "plate", "confidence" (0–100), "time"? (RFC 3339),
/// "snapshot"? (base64 JPEG)}`.
pub fn parse_generic(body: &[u8]) -> Result<PlateRead, EventError> {
    use base64::Engine;
    let event: GenericEvent =
        serde_json::from_slice(body).map_err(|e| malformed(format!("JSON: {e}")))?;
    let event_key = event.event_id.trim().to_string();
    if event_key.is_empty() || event_key.len() > 200 {
        return Err(malformed("event_id: 1-200 characters"));
    }
    let snapshot = match event.snapshot.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b64) => Some(
            snapshot(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| malformed(format!("snapshot: {e}")))?,
            )
            .ok_or_else(|| malformed("snapshot: not a JPEG under 2 MB"))?,
        ),
    };
    Ok(PlateRead {
        event_key,
        camera: event.camera_id,
        plate: bounded_plate(&event.plate)?,
        confidence: confidence(event.confidence)?,
        at: event.time.map(|t| t.with_timezone(&Utc)),
        snapshot,
    })
}

/// A JPEG within [`MAX_SNAPSHOT_BYTES`], else nothing.
pub fn snapshot(bytes: Vec<u8>) -> Option<Vec<u8>> {
    (bytes.len() <= MAX_SNAPSHOT_BYTES && bytes.starts_with(&[0xFF, 0xD8])).then_some(bytes)
}

fn confidence(value: f64) -> Result<u8, EventError> {
    if (0.0..=100.0).contains(&value) {
        Ok(value.round() as u8)
    } else {
        Err(malformed("confidence: 0-100"))
    }
}

fn bounded_plate(plate: &str) -> Result<String, EventError> {
    let plate = plate.trim();
    if plate.chars().count() > 20 {
        return Err(malformed("plate: longer than 20 characters"));
    }
    Ok(plate.to_string())
}

/// The fields of an `EventNotificationAlert` Ключ reads, by element path (namespaces dropped).
#[derive(Debug, Default)]
struct HikvisionAlert {
    event_type: Option<String>,
    date_time: Option<String>,
    channel: Option<String>,
    post_count: Option<String>,
    uuid: Option<String>,
    plate: Option<String>,
    confidence: Option<String>,
}

/// A Hikvision `EventNotificationAlert` with `<eventType>ANPR</eventType>`.
pub fn parse_hikvision(xml: &[u8]) -> Result<PlateRead, EventError> {
    let alert = read_alert(xml)?;
    let event_type = alert
        .event_type
        .ok_or_else(|| malformed("EventNotificationAlert without eventType"))?;
    if !event_type.eq_ignore_ascii_case("ANPR") {
        return Err(EventError::NotAPlate(event_type));
    }
    let plate = bounded_plate(
        &alert
            .plate
            .ok_or_else(|| malformed("ANPR without licensePlate"))?,
    )?;
    let confidence = match alert.confidence {
        Some(c) => confidence(
            c.trim()
                .parse::<f64>()
                .map_err(|_| malformed("confidenceLevel: not a number"))?,
        )?,
        // older firmware sends none: a read the camera does not vouch for
        None => 0,
    };
    let at = alert
        .date_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok())
        .map(|t| t.with_timezone(&Utc));
    // newer firmware gives each event a UUID; older: the moment, channel and post counter
    let event_key = match alert.uuid.filter(|u| !u.trim().is_empty()) {
        Some(uuid) => uuid.trim().to_string(),
        None => format!(
            "{}/{}/{}/{plate}",
            alert.date_time.as_deref().unwrap_or("").trim(),
            alert.channel.as_deref().unwrap_or("").trim(),
            alert.post_count.as_deref().unwrap_or("").trim()
        ),
    };
    Ok(PlateRead {
        event_key,
        camera: None,
        plate,
        confidence,
        at,
        snapshot: None,
    })
}

fn read_alert(xml: &[u8]) -> Result<HikvisionAlert, EventError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut alert = HikvisionAlert::default();
    let mut seen_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "EventNotificationAlert" {
                        return Err(malformed(format!("root element {name}")));
                    }
                    seen_root = true;
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| malformed(format!("XML text: {e}")))?;
                let field = match path
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["EventNotificationAlert", "eventType"] => &mut alert.event_type,
                    ["EventNotificationAlert", "dateTime"] => &mut alert.date_time,
                    ["EventNotificationAlert", "channelID"] => &mut alert.channel,
                    ["EventNotificationAlert", "activePostCount"] => &mut alert.post_count,
                    ["EventNotificationAlert", "UUID"] => &mut alert.uuid,
                    ["EventNotificationAlert", "ANPR", "licensePlate"] => &mut alert.plate,
                    ["EventNotificationAlert", "ANPR", "confidenceLevel"] => &mut alert.confidence,
                    _ => continue,
                };
                field.get_or_insert_default().push_str(&text);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(malformed(format!("XML: {e}"))),
        }
    }
    if !seen_root || !path.is_empty() {
        return Err(malformed("not a complete EventNotificationAlert"));
    }
    Ok(alert)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As a Hikvision DS-TCG406 (ANPR firmware) sends it, trimmed of the vehicle details.
    const HIKVISION_ANPR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>192.168.1.64</ipAddress>
<portNo>80</portNo>
<protocol>HTTP</protocol>
<macAddress>c0:56:e3:00:00:01</macAddress>
<channelID>1</channelID>
<dateTime>2026-12-07T14:03:05+03:00</dateTime>
<activePostCount>17</activePostCount>
<eventType>ANPR</eventType>
<eventState>active</eventState>
<eventDescription>ANPR</eventDescription>
<ANPR>
<country>3</country>
<licensePlate>A123BC77</licensePlate>
<line>1</line>
<direction>forward</direction>
<confidenceLevel>97</confidenceLevel>
<plateType>unknown</plateType>
<plateColor>white</plateColor>
<vehicleType>vehicle</vehicleType>
<pictureInfoList><pictureInfo><fileName>licensePlatePicture.jpg</fileName><type>licensePlatePicture</type></pictureInfo></pictureInfoList>
<originalLicensePlate>A123BC77</originalLicensePlate>
</ANPR>
<UUID>5a7c1e2e-8d1b-4a7e-9c51-1f0e3b2a9d44</UUID>
<picNum>1</picNum>
</EventNotificationAlert>"#;

    #[test]
    fn reads_a_hikvision_anpr_alert() {
        let read = parse_hikvision(HIKVISION_ANPR.as_bytes()).unwrap();
        assert_eq!(read.plate, "A123BC77");
        assert_eq!(read.confidence, 97);
        assert_eq!(read.event_key, "5a7c1e2e-8d1b-4a7e-9c51-1f0e3b2a9d44");
        assert_eq!(
            read.at.unwrap().to_rfc3339(),
            "2026-12-07T11:03:05+00:00",
            "the camera's offset is honoured"
        );
    }

    #[test]
    fn an_alert_without_uuid_is_keyed_by_its_moment_channel_and_counter() {
        let xml = HIKVISION_ANPR.replace("<UUID>5a7c1e2e-8d1b-4a7e-9c51-1f0e3b2a9d44</UUID>", "");
        let read = parse_hikvision(xml.as_bytes()).unwrap();
        assert_eq!(read.event_key, "2026-12-07T14:03:05+03:00/1/17/A123BC77");
        let xml = HIKVISION_ANPR.replace("<confidenceLevel>97</confidenceLevel>", "");
        assert_eq!(parse_hikvision(xml.as_bytes()).unwrap().confidence, 0);
    }

    #[test]
    fn other_hikvision_events_are_not_plates_and_broken_ones_are_malformed() {
        let heartbeat = HIKVISION_ANPR.replace(">ANPR</eventType>", ">videoloss</eventType>");
        assert_eq!(
            parse_hikvision(heartbeat.as_bytes()),
            Err(EventError::NotAPlate("videoloss".into()))
        );
        for bad in [
            "",
            "not xml at all",
            "<Other><eventType>ANPR</eventType></Other>",
            &HIKVISION_ANPR[..HIKVISION_ANPR.len() / 2],
            &HIKVISION_ANPR.replace("<licensePlate>A123BC77</licensePlate>", ""),
            &HIKVISION_ANPR.replace(">97<", ">very<"),
            &HIKVISION_ANPR.replace(">97<", ">140<"),
        ] {
            assert!(
                matches!(
                    parse_hikvision(bad.as_bytes()),
                    Err(EventError::Malformed(_))
                ),
                "{bad:.60}"
            );
        }
    }

    #[test]
    fn reads_the_generic_webhook() {
        let body = r#"{"event_id":"e-1","camera_id":"kl7-in","plate":"а 123 вс 77",
            "confidence":91.6,"time":"2026-12-07T14:03:05+03:00","snapshot":"/9j/AA=="}"#;
        let read = parse_generic(body.as_bytes()).unwrap();
        assert_eq!(read.event_key, "e-1");
        assert_eq!(read.camera.as_deref(), Some("kl7-in"));
        assert_eq!(read.plate, "а 123 вс 77");
        assert_eq!(read.confidence, 92);
        assert_eq!(read.snapshot, Some(vec![0xFF, 0xD8, 0xFF, 0x00]));
        let minimal = r#"{"event_id":"e-2","plate":"A123BC77","confidence":80}"#;
        assert_eq!(parse_generic(minimal.as_bytes()).unwrap().at, None);
        for bad in [
            "",
            "{}",
            r#"{"event_id":"","plate":"A1","confidence":80}"#,
            r#"{"event_id":"e","plate":"A1","confidence":101}"#,
            r#"{"event_id":"e","plate":"A1","confidence":"high"}"#,
            r#"{"event_id":"e","plate":"A1","confidence":80,"time":"yesterday"}"#,
            r#"{"event_id":"e","plate":"A1","confidence":80,"snapshot":"not base64!"}"#,
            r#"{"event_id":"e","plate":"A1","confidence":80,"snapshot":"iVBORw0KGgo="}"#,
        ] {
            assert!(
                matches!(parse_generic(bad.as_bytes()), Err(EventError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
