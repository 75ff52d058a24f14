/// Text made safe to put in HTML, in element content and in quoted attribute values.
public enum HTML {
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The opening of a report page, up to and including `<body>`: the title (escaped here)
    /// and the house style, plus `style` rules of the page's own.
    public static func pageStart(title: String, style: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 4px 8px; \
        text-align: right; }
        th:first-child, td:first-child { text-align: left; } pre { background: #f6f6f3; padding: 1em; overflow-x: \
        auto; }
        \(style)
        </style></head><body>

        """
    }
}
