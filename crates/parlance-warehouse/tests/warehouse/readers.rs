use parlance_warehouse::{LandingRecord, WarehouseCounts, land_records};

use crate::{at, fresh};

#[test]
fn a_reader_sees_committed_data_while_a_write_is_open() {
    let (_dir, wh) = fresh();
    wh.write(|tx| {
        land_records(
            tx,
            "shop",
            at(1),
            &[LandingRecord { stream: "s", source_id: "1", source_updated_at: None, payload_json: "{}" }],
        )
    })
    .unwrap();
    let reader = wh.reader().unwrap();
    wh.write(|tx| {
        land_records(
            tx,
            "shop",
            at(2),
            &[LandingRecord { stream: "s", source_id: "2", source_updated_at: None, payload_json: "{}" }],
        )?;
        // The writer holds an open transaction; the reader is not blocked and
        // sees only committed rows.
        let counts = WarehouseCounts::read(&reader).unwrap();
        assert_eq!(counts.layers.landing, 1);
        Ok(())
    })
    .unwrap();
    assert_eq!(WarehouseCounts::read(&reader).unwrap().layers.landing, 2);
}

#[test]
fn readers_cannot_write() {
    let (_dir, wh) = fresh();
    let reader = wh.reader().unwrap();
    let err = reader.execute("DELETE FROM sources", []).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("readonly") || err.to_string().contains("read"), "{err}");
}
