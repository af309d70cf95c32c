//! SMS text formatting from a Keycloak message-bundle pattern, the origin-bound code line, and
//! GSM-7 detection.

/// Arguments of the SMS text pattern.
#[derive(Debug, Clone, Copy)]
pub struct TextArguments<'a> {
    /// `{0}`: the one-time code.
    pub code: &'a str,
    /// `{1}`: validity in whole minutes, rounded up.
    pub validity_minutes: u64,
    /// `{2}`: the realm's name.
    pub realm_name: &'a str,
}

/// Rounds a validity in seconds up to whole minutes, so the text never promises more time than
/// the code has.
pub fn validity_minutes(ttl_seconds: u32) -> u64 {
    u64::from(ttl_seconds).div_ceil(60)
}

/// Formats `pattern` the way Java's `MessageFormat` does for plain arguments.
///
/// `{0}`, `{1}` and `{2}` take the arguments, and a format type such as `{1,number}` is ignored.
/// `''` is one `'`, and text between single quotes is literal. Unlike `MessageFormat`, an unknown
/// index or an unclosed `{` is copied as it is instead of failing, so any pattern gives some text.
pub fn format_text(pattern: &str, arguments: &TextArguments) -> String {
    let mut output = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.char_indices().peekable();
    let mut quoted = false;

    while let Some((position, c)) = chars.next() {
        match c {
            '\'' => {
                if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                    chars.next();
                    output.push('\'');
                } else {
                    quoted = !quoted;
                }
            }
            '{' if !quoted => {
                let rest = &pattern[position + 1..];
                match rest.find('}') {
                    Some(end) => {
                        let inner = &rest[..end];
                        match argument(inner, arguments) {
                            Some(value) => output.push_str(&value),
                            None => {
                                output.push('{');
                                output.push_str(inner);
                                output.push('}');
                            }
                        }
                        // Skip the placeholder's characters and the closing brace.
                        for _ in 0..inner.chars().count() + 1 {
                            chars.next();
                        }
                    }
                    None => output.push('{'),
                }
            }
            _ => output.push(c),
        }
    }
    output
}

fn argument(placeholder: &str, arguments: &TextArguments) -> Option<String> {
    let index = placeholder.split(',').next().unwrap_or_default().trim();
    match index {
        "0" => Some(arguments.code.to_owned()),
        "1" => Some(arguments.validity_minutes.to_string()),
        "2" => Some(arguments.realm_name.to_owned()),
        _ => None,
    }
}

/// Maximum length of a host name in DNS (RFC 1035), in characters.
const MAX_HOST_CHARS: usize = 253;
/// Maximum length of one label of a host name (RFC 1035), in characters.
const MAX_LABEL_CHARS: usize = 63;

/// Normalizes the host of the login request for the origin-bound code line: lower case, without
/// one trailing dot and without the brackets of an IPv6 address.
///
/// Returns `None`, so the line is left out, when the result is not a DNS host name (letters,
/// digits and hyphens in dot-separated labels). That includes IP addresses, because user agents
/// bind origin-bound codes to domains only, and names with an underscore, a port or a path.
/// Internationalised names must come in their ASCII (punycode) form, which is what an HTTP Host
/// header carries.
pub fn origin_bound_host(host: &str) -> Option<String> {
    let lower = host.to_ascii_lowercase();
    let without_dot = lower.strip_suffix('.').unwrap_or(&lower);
    let normalized = without_dot
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(without_dot);

    let valid_label = |label: &str| {
        (1..=MAX_LABEL_CHARS).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let is_host_name =
        (1..=MAX_HOST_CHARS).contains(&normalized.len()) && normalized.split('.').all(valid_label);
    if is_host_name && !ends_in_number(normalized) {
        Some(normalized.to_owned())
    } else {
        None
    }
}

/// Returns true when the last label of `host` is a decimal or `0x` hex number. The WHATWG URL
/// standard, which browsers follow, parses such a host as an IPv4 address ("ends in a number"),
/// so "127.0.0.1" and "10.1" are not domains.
fn ends_in_number(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or_default();
    let decimal = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    decimal || hex
}

/// Appends the origin-bound code line `@<host> #<code>` after a blank line. The WICG format
/// "Origin-bound one-time codes delivered via SMS" requires it to be the last line, and user
/// agents that implement the format offer to fill in the code only on pages of that host.
pub fn append_origin_bound_line(text: &str, host: &str, code: &str) -> String {
    format!("{text}\n\n@{host} #{code}")
}

/// Characters of the GSM 03.38 default alphabet, without the escape code.
const GSM7_BASIC: &str = concat!(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ",
    " !\"#¤%&'()*+,-./0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmnopqrstuvwxyzäöñüà",
);

/// Characters of the GSM 03.38 extension table, sent as escape plus one septet.
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Returns true when every character of `text` is in the GSM 03.38 default alphabet or its
/// extension table, so the SMS can be sent with the standard 7-bit encoding.
pub fn is_gsm7(text: &str) -> bool {
    text.chars()
        .all(|c| GSM7_BASIC.contains(c) || GSM7_EXTENSION.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments() -> TextArguments<'static> {
        TextArguments {
            code: "123456",
            validity_minutes: 5,
            realm_name: "demo",
        }
    }

    #[test]
    fn replaces_placeholders() {
        let text = format_text(
            "Your {2} code is {0}. It is valid for {1} minutes.",
            &arguments(),
        );
        assert_eq!(text, "Your demo code is 123456. It is valid for 5 minutes.");
    }

    #[test]
    fn repeated_and_typed_placeholders() {
        let text = format_text("{0} {0} {1,number,integer}", &arguments());
        assert_eq!(text, "123456 123456 5");
    }

    #[test]
    fn doubled_quote_is_one_quote() {
        let text = format_text("Don''t share {0}", &arguments());
        assert_eq!(text, "Don't share 123456");
    }

    #[test]
    fn quoted_section_is_literal() {
        let text = format_text("'{0}' is {0}, it''s '''quoted'''", &arguments());
        assert_eq!(text, "{0} is 123456, it's 'quoted'");
    }

    #[test]
    fn unknown_or_unclosed_placeholders_are_kept() {
        assert_eq!(format_text("a {3} b", &arguments()), "a {3} b");
        assert_eq!(format_text("a {0", &arguments()), "a {0");
        assert_eq!(format_text("a {x} {0}", &arguments()), "a {x} 123456");
    }

    #[test]
    fn special_characters_pass_through() {
        let args = TextArguments {
            code: "123456",
            validity_minutes: 10,
            realm_name: "Zażółć \"gęślą\" \\ jaźń 日本",
        };
        let text = format_text("Код {0}\nRealm: {2}\\n \"x\"\t{1} мин", &args);
        assert_eq!(
            text,
            "Код 123456\nRealm: Zażółć \"gęślą\" \\ jaźń 日本\\n \"x\"\t10 мин"
        );
    }

    #[test]
    fn realm_name_is_not_interpreted() {
        let args = TextArguments {
            code: "123456",
            validity_minutes: 5,
            realm_name: "{0} it''s",
        };
        assert_eq!(format_text("{2}", &args), "{0} it''s");
    }

    #[test]
    fn validity_rounds_up() {
        assert_eq!(validity_minutes(60), 1);
        assert_eq!(validity_minutes(61), 2);
        assert_eq!(validity_minutes(300), 5);
        assert_eq!(validity_minutes(599), 10);
    }

    #[test]
    fn gsm7_detection() {
        assert!(is_gsm7("Your code is 123456. Valid 5 min @ demo!"));
        assert!(is_gsm7("ÄÖÑÜäöñüà é è ù ì ò Ç Ø ø Å å Æ æ ß É ¡ ¿ § £ ¥ ¤"));
        assert!(is_gsm7("ext: ^ { } \\ [ ~ ] | €"));
        assert!(is_gsm7("line\nbreak\r"));
        assert!(is_gsm7(""));
        assert!(!is_gsm7("Zażółć"));
        assert!(!is_gsm7("Код"));
        assert!(!is_gsm7("emoji 🙂"));
        assert!(!is_gsm7("tab\t"));
        assert!(!is_gsm7("backtick `"));
        assert!(!is_gsm7("ç lower-case cedilla"));
    }

    #[test]
    fn origin_bound_line_is_last() {
        let text = append_origin_bound_line("Your code is 123456.", "login.example.com", "123456");
        assert_eq!(text, "Your code is 123456.\n\n@login.example.com #123456");
        assert!(is_gsm7(&text));
    }

    #[test]
    fn origin_host_is_normalized() {
        let cases = [
            ("Login.Example.COM", "login.example.com"),
            ("login.example.com.", "login.example.com"),
            ("localhost", "localhost"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("a1.example", "a1.example"),
            ("0xg.example", "0xg.example"),
        ];
        for (host, expected) in cases {
            assert_eq!(
                origin_bound_host(host).as_deref(),
                Some(expected),
                "host {host:?}"
            );
        }
    }

    #[test]
    fn origin_host_other_than_domain_is_left_out() {
        let long_label = "a".repeat(64);
        let long_host = ["abc"; 64].join(".");
        let left_out = [
            "",
            ".",
            "127.0.0.1",
            "127.0.0.1.",
            "10.1",
            "example.0x7f",
            "example.123",
            "[::1]",
            "[2001:DB8::1]",
            "::1",
            "login_host.example.com",
            "login.example.com..",
            "https://login.example.com",
            "login.example.com:8443",
            "login.example.com/realms",
            ".example.com",
            "-login.example.com",
            "login-.example.com",
            "login example.com",
            "bücher.example",
            "login.example.com\n#000000",
            long_label.as_str(),
            long_host.as_str(),
        ];
        for host in left_out {
            assert_eq!(origin_bound_host(host), None, "host {host:?}");
        }
    }
}
