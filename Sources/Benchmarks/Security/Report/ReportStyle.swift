/// The page's only style sheet, inline: the page must open anywhere (a mail attachment, an archive years on) with no
/// file or font from elsewhere, so it uses the reader's own sans-serif and draws everything with SVG and CSS.
enum ReportStyle {
    static let css = """
    body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
    h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
    h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
    nav ol { columns: 2; }
    table { border-collapse: collapse; margin: 0.8rem 0 1.2rem; font-size: 0.88rem; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
    th, td { border: 1px solid #d0d0d0; padding: 0.2rem 0.5rem; }
    thead th { background: #f0f0f0; }
    tbody th { text-align: left; font-weight: normal; }
    td.figure { text-align: right; font-variant-numeric: tabular-nums; }
    td.text { text-align: left; }
    figure { margin: 0.5rem 0; }
    svg.chart { width: 100%; height: auto; max-width: 800px; font-size: 11px; }
    svg.chart .grid { stroke: #e4e4e4; }
    svg.chart .axis { stroke: #333; }
    svg.chart .tick, svg.chart .legend { fill: #333; }
    svg.chart .axis-label { fill: #1a1a1a; font-size: 12px; }
    svg.chart .line, svg.chart .reference { fill: none; stroke-width: 1.5; }
    svg.chart .mark:hover { stroke: #000; stroke-width: 1.5; }
    .empty { color: #666; font-style: italic; }
    details { margin-bottom: 1rem; }
    """
}
