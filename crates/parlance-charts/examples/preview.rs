//! Writes every journey and segment chart, light and dark, as SVG and PNG
//! into a folder, to look at them: `cargo run -p parlance-charts --example
//! preview -- /tmp/charts`.

use parlance_charts::{
    Funnel, FunnelBar, OverlapMatrix, Sankey, SankeyLink, SankeyNode, Size, SizeSeries, Theme, funnel,
    overlap_heatmap, sankey, size_trend, svg_to_png,
};

fn node(column: usize, label: &str, value: u64) -> SankeyNode {
    SankeyNode { column, label: label.into(), value }
}

fn link(from: usize, to: usize, value: u64) -> SankeyLink {
    SankeyLink { from, to, value }
}

fn paths() -> Sankey {
    Sankey {
        title: "Top paths".into(),
        columns: vec!["Step 1".into(), "Step 2".into(), "Step 3".into()],
        nodes: vec![
            node(0, "web:visit", 1200),
            node(0, "email:click", 400),
            node(1, "web:product_view", 900),
            node(1, "support:call about a very long complaint label", 150),
            node(1, "(exit)", 350),
            node(2, "store:purchase", 500),
            node(2, "web:visit", 300),
        ],
        links: vec![
            link(0, 2, 700),
            link(0, 3, 100),
            link(0, 4, 300),
            link(1, 2, 200),
            link(1, 3, 50),
            link(1, 4, 50),
            link(2, 5, 450),
            link(2, 6, 250),
            link(3, 5, 50),
            link(3, 6, 50),
        ],
        unit: "profiles".into(),
    }
}

/// Lifecycle stages over four quarters: the same five labels in every column.
fn stages() -> Sankey {
    let names = ["Acquisition", "Conversion", "Retention", "Win-back", "Lapsed"];
    let mut nodes = Vec::new();
    for q in 0..4 {
        for (i, name) in names.iter().enumerate() {
            nodes.push(node(q, name, [400, 250, 600, 80, 300][i] + 37 * q as u64 * i as u64));
        }
    }
    let mut links = Vec::new();
    for q in 0..3 {
        for a in 0..5 {
            for b in 0..5 {
                let v = (((a * 7 + b * 3 + q) % 5) * 30) as u64;
                links.push(link(q * 5 + a, (q + 1) * 5 + b, v));
            }
        }
    }
    Sankey {
        title: "Lifecycle stages".into(),
        columns: vec!["2024-Q1".into(), "2024-Q2".into(), "2024-Q3".into(), "2024-Q4".into()],
        nodes,
        links,
        unit: "profiles".into(),
    }
}

fn funnel_data() -> Funnel {
    Funnel {
        title: "Checkout funnel".into(),
        steps: vec![
            FunnelBar { label: "web:product_view".into(), count: 12_000 },
            FunnelBar { label: "web:add_to_cart".into(), count: 4_800 },
            FunnelBar { label: "web:checkout started with a long label".into(), count: 2_100 },
            FunnelBar { label: "store:purchase".into(), count: 1_450 },
        ],
        unit: "profiles".into(),
    }
}

fn trend() -> Vec<SizeSeries> {
    let dates = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"];
    let series = |name: &str, base: u64, step: i64| SizeSeries {
        name: name.into(),
        points: dates
            .iter()
            .enumerate()
            .map(|(i, d)| (d.to_string(), (base as i64 + step * i as i64) as u64))
            .collect(),
    };
    vec![series("vip", 1200, 80), series("lapsed customers in the north-west region", 3000, -150)]
}

fn overlap() -> OverlapMatrix {
    OverlapMatrix {
        names: vec!["vip".into(), "newsletter".into(), "lapsed".into(), "<script>&\"x\"".into()],
        sizes: vec![1200, 5400, 3000, 800],
        shared: vec![
            vec![1200, 900, 40, 300],
            vec![900, 5400, 1500, 600],
            vec![40, 1500, 3000, 10],
            vec![300, 600, 10, 800],
        ],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "charts-preview".into()));
    std::fs::create_dir_all(&dir)?;
    for theme in [Theme::Light, Theme::Dark] {
        let size = Size::new(800, 450);
        let charts = [
            ("sankey", sankey(&paths(), theme, size)?),
            ("stages", sankey(&stages(), theme, size)?),
            (
                "sankey_empty",
                sankey(&Sankey { title: "Top paths".into(), ..Sankey::default() }, theme, size)?,
            ),
            ("sankey_narrow", sankey(&paths(), theme, Size::new(480, 320))?),
            ("funnel_narrow", funnel(&funnel_data(), theme, Size::new(480, 320))?),
            ("funnel", funnel(&funnel_data(), theme, size)?),
            ("trend", size_trend(&trend(), "Segment size", theme, size)?),
            ("overlap", overlap_heatmap(&overlap(), theme, size)?),
            ("overlap_narrow", overlap_heatmap(&overlap(), theme, Size::new(480, 320))?),
        ];
        for (name, svg) in charts {
            let stem = format!("{name}_{theme:?}").to_lowercase();
            std::fs::write(dir.join(format!("{stem}.svg")), &svg)?;
            std::fs::write(dir.join(format!("{stem}.png")), svg_to_png(&svg, 1.0)?)?;
        }
    }
    Ok(())
}
