//! Phone numbers: parsing user input to E.164 with libphonenumber's metadata (the `phonenumber`
//! crate), the E.164 shape check used at send time, and masking for display and logs.

use std::panic::{AssertUnwindSafe, catch_unwind};

use phonenumber::country::Id as Region;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, Type};

use crate::config::keys;
use crate::error::{Error, PhoneRejection, Result};

/// Minimum number of digits after the '+' in an E.164 number. Some small numbering plans, such
/// as Niue (+683) and Tokelau (+690), have four-digit subscriber numbers.
pub const E164_MIN_DIGITS: usize = 7;
/// Maximum number of digits in an E.164 number (ITU-T E.164).
pub const E164_MAX_DIGITS: usize = 15;
/// Numbers with fewer digits are masked completely, because masking keeps five digits.
pub const MASK_MIN_DIGITS: usize = 8;
/// Maximum input length for parsing, in characters. A phone number with separators is far
/// shorter.
const MAX_INPUT_CHARS: usize = 64;

/// Phone number rules of an execution: the region of numbers without a country code, and the
/// regions a number may belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhonePolicy {
    /// Region for numbers typed without a country code, or `None` to require one.
    pub default_region: Option<Region>,
    /// Regions a number may belong to; empty allows every region.
    pub allowed_countries: Vec<Region>,
}

impl PhonePolicy {
    /// Parses the `defaultRegion` value (ISO 3166 alpha-2 or empty) and the `allowedCountries`
    /// value (comma-separated ISO 3166 alpha-2 codes or empty). Errors name the config key.
    pub fn parse(default_region: &str, allowed_countries: &str) -> Result<PhonePolicy> {
        let default_region = match default_region.trim() {
            "" => None,
            code => Some(parse_region(keys::DEFAULT_REGION, code)?),
        };
        let mut allowed = Vec::new();
        for code in allowed_countries.split(',').map(str::trim) {
            if code.is_empty() {
                continue;
            }
            let region = parse_region(keys::ALLOWED_COUNTRIES, code)?;
            if !allowed.contains(&region) {
                allowed.push(region);
            }
        }
        Ok(PhonePolicy {
            default_region,
            allowed_countries: allowed,
        })
    }

    /// Returns the `defaultRegion` value in normalized form: upper case, or empty.
    pub fn default_region_text(&self) -> String {
        self.default_region
            .map(|region| region.as_ref().to_owned())
            .unwrap_or_default()
    }

    /// Returns the `allowedCountries` value in normalized form such as `DE,AT`, or empty.
    pub fn allowed_countries_text(&self) -> String {
        self.allowed_countries
            .iter()
            .map(|region| region.as_ref())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses user input such as `+49 1512 3456789`, `0049 1512 3456789` or, with a default
    /// region, the national form `01512 3456789`, and returns the E.164 form.
    ///
    /// Rejected: input that is not a valid number (reason `invalid`), numbers of the types
    /// premium rate, shared cost or unknown (reason `type`) and numbers of a region outside
    /// the allow-list (reason `country`). Messages are for the user and never repeat the number.
    pub fn normalize(&self, input: &str) -> Result<String> {
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid("Enter your mobile phone number."));
        }
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(invalid(
                "This is too long for a phone number. Enter only the phone number.",
            ));
        }

        let compact: String = input.chars().filter(|&c| !is_separator(c)).collect();
        // 00 is the international call prefix in most of the world, and no national number
        // starts with it, so it is read as + whatever the default region's own prefix is.
        let compact = match compact.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => compact,
        };
        if self.default_region.is_none() && !compact.starts_with('+') {
            return Err(invalid(
                "Enter the phone number with its country code, starting with + or 00, for \
                 example +48 600 700 800.",
            ));
        }

        let number = parse_number(self.default_region, &compact).ok_or_else(not_valid)?;
        if number.extension().is_some() || !number.is_valid() {
            return Err(not_valid());
        }

        let rejected_type = match number.number_type(&DATABASE) {
            Type::PremiumRate => Some("it is a premium-rate number"),
            Type::SharedCost => Some("it is a shared-cost number"),
            Type::Unknown => Some("its type is not known"),
            _ => None,
        };
        if let Some(why) = rejected_type {
            return Err(Error::invalid_phone(
                PhoneRejection::Type,
                format!(
                    "This phone number cannot receive sign-in codes because {why}. Enter a \
                     mobile phone number."
                ),
            ));
        }

        if !self.allowed_countries.is_empty() {
            let region = number.country().id();
            if !region.is_some_and(|region| self.allowed_countries.contains(&region)) {
                return Err(Error::invalid_phone(
                    PhoneRejection::Country,
                    format!(
                        "Phone numbers from this country are not accepted. Enter a number from \
                         one of these countries: {}.",
                        self.allowed_countries_text().replace(',', ", ")
                    ),
                ));
            }
        }

        let e164 = number.format().mode(Mode::E164).to_string();
        check_e164(&e164)?;
        Ok(e164)
    }
}

/// Normalises `input` to E.164 under the given `defaultRegion` and `allowedCountries` values;
/// see [`PhonePolicy::normalize`].
pub fn normalize_phone(
    input: &str,
    default_region: &str,
    allowed_countries: &str,
) -> Result<String> {
    PhonePolicy::parse(default_region, allowed_countries)?.normalize(input)
}

/// Returns the main region of a country calling code written `+49`, `0049` or `49`, such as `DE`,
/// or "" for empty input. Reads the netzbegruenung plugin's `countrycode` setting; errors name `key`.
pub fn region_for_calling_code(key: &str, text: &str) -> Result<String> {
    let digits = text.trim().trim_start_matches('+').trim_start_matches("00");
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    let invalid = || {
        let truncated: String = text.chars().take(10).collect();
        Error::invalid_config(
            key,
            format!(
                "{truncated:?} is not a country calling code; enter one such as +49, or set defaultRegion"
            ),
        )
    };
    let code: u16 = digits.parse().map_err(|_| invalid())?;
    let regions = DATABASE.by_code(&code).ok_or_else(invalid)?;
    let geographic = |id: &str| id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase());
    regions
        .iter()
        .filter(|meta| geographic(meta.id()))
        .find(|meta| meta.is_main_country_for_code())
        .or_else(|| regions.iter().find(|meta| geographic(meta.id())))
        .map(|meta| meta.id().to_owned())
        .ok_or_else(invalid)
}

/// A region that numbers can be entered for, with its country calling code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    /// ISO 3166 alpha-2 code, upper case.
    pub region: String,
    /// Country calling code without the '+', such as 48 for PL.
    pub calling_code: u16,
}

/// Returns the regions of the `allowedCountries` value in its order, or every region in
/// libphonenumber's metadata, sorted by code, when the value is empty. The enrolment form lists
/// them.
pub fn list_countries(allowed_countries: &str) -> Result<Vec<Country>> {
    let policy = PhonePolicy::parse("", allowed_countries)?;
    let mut countries: Vec<Country> = if policy.allowed_countries.is_empty() {
        DATABASE
            .iter()
            .filter_map(|meta| {
                let id = meta.id();
                let geographic = id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase());
                geographic.then(|| Country {
                    region: id.to_owned(),
                    calling_code: meta.country_code(),
                })
            })
            .collect()
    } else {
        policy
            .allowed_countries
            .iter()
            .filter_map(|region| {
                DATABASE.by_id(region.as_ref()).map(|meta| Country {
                    region: region.as_ref().to_owned(),
                    calling_code: meta.country_code(),
                })
            })
            .collect()
    };
    if policy.allowed_countries.is_empty() {
        countries.sort_by(|a, b| a.region.cmp(&b.region));
        countries.dedup_by(|a, b| a.region == b.region);
    }
    Ok(countries)
}

/// Checks that `phone` has the E.164 shape: '+', a digit from 1 to 9, then only digits, from
/// [`E164_MIN_DIGITS`] to [`E164_MAX_DIGITS`] digits in all. It does not check that the number
/// exists, because a stored number was checked when it was entered.
pub fn check_e164(phone: &str) -> Result<()> {
    let well_formed = phone.strip_prefix('+').is_some_and(|digits| {
        (E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    });
    if well_formed {
        Ok(())
    } else {
        Err(Error::invalid_phone(
            PhoneRejection::Invalid,
            "The stored phone number is not in the international format (+ and 7 to 15 digits). \
             Enter the phone number again.",
        ))
    }
}

fn parse_region(key: &str, code: &str) -> Result<Region> {
    let upper = code.to_ascii_uppercase();
    let region = (upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()))
        .then(|| upper.parse::<Region>().ok())
        .flatten();
    region.ok_or_else(|| {
        let truncated: String = code.chars().take(10).collect();
        Error::invalid_config(
            key,
            format!(
                "{truncated:?} is not a known ISO 3166 alpha-2 region code; enter a code such as DE, \
                 AT or PL"
            ),
        )
    })
}

/// Runs the parser, reading a panic as "not a number": the crate has panicked on malformed input
/// in earlier versions, and user input must not become a Java error.
/// The panic hook that the JNI bridge installs prints no panic message, so the input cannot reach
/// the log that way.
fn parse_number(region: Option<Region>, text: &str) -> Option<phonenumber::PhoneNumber> {
    catch_unwind(AssertUnwindSafe(|| phonenumber::parse(region, text)))
        .ok()?
        .ok()
}

/// Characters that people type between digit groups.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/')
}

fn invalid(message: &str) -> Error {
    Error::invalid_phone(PhoneRejection::Invalid, message)
}

fn not_valid() -> Error {
    invalid("This phone number is not valid. Check the digits and the country code.")
}

/// Masks a phone number, keeping a leading '+', the first 2 and the last 3 digits:
/// `+48500100200` becomes `+48******200`.
///
/// Characters other than digits are kept in place. Input with fewer than [`MASK_MIN_DIGITS`]
/// digits has every digit masked, so a short or malformed value never shows most of its digits.
pub fn mask_phone(phone: &str) -> String {
    let digit_count = phone.chars().filter(char::is_ascii_digit).count();
    let keep_all_masked = digit_count < MASK_MIN_DIGITS;
    let mut index = 0;
    phone
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            let visible = !keep_all_masked && (index < 2 || index + 3 >= digit_count);
            index += 1;
            if visible { c } else { '*' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normalises with no default region and no allow-list.
    fn normalize(input: &str) -> Result<String> {
        normalize_phone(input, "", "")
    }

    fn rejection(result: Result<String>) -> (PhoneRejection, String) {
        match result {
            Err(Error::InvalidPhoneNumber { reason, message }) => (reason, message),
            other => panic!("expected InvalidPhoneNumber, got {other:?}"),
        }
    }

    #[test]
    fn calling_code_maps_to_its_main_region() {
        assert_eq!(region_for_calling_code("countrycode", "+49").unwrap(), "DE");
        assert_eq!(
            region_for_calling_code("countrycode", "0048").unwrap(),
            "PL"
        );
        assert_eq!(region_for_calling_code("countrycode", " 1 ").unwrap(), "US");
        assert_eq!(region_for_calling_code("countrycode", "").unwrap(), "");
        for bad in ["+999", "DE", "+", "+4x"] {
            let err = region_for_calling_code("countrycode", bad).unwrap_err();
            assert!(err.to_string().contains("countrycode"), "{bad}: {err}");
        }
    }

    #[test]
    fn list_countries_allow_list_order() {
        let countries = list_countries("pl, DE").unwrap();
        assert_eq!(
            countries,
            vec![
                Country {
                    region: "PL".into(),
                    calling_code: 48
                },
                Country {
                    region: "DE".into(),
                    calling_code: 49
                },
            ]
        );
    }

    #[test]
    fn list_countries_all_regions() {
        let countries = list_countries("").unwrap();
        assert!(countries.len() > 200, "only {} regions", countries.len());
        assert!(countries.windows(2).all(|w| w[0].region < w[1].region));
        assert!(countries.iter().all(|c| c.region.len() == 2));
        assert!(countries.contains(&Country {
            region: "US".into(),
            calling_code: 1
        }));
        assert!(countries.contains(&Country {
            region: "CA".into(),
            calling_code: 1
        }));
    }

    #[test]
    fn list_countries_unknown_region() {
        let err = list_countries("PL,XX").unwrap_err();
        assert!(err.to_string().contains("allowedCountries"), "{err}");
    }

    #[test]
    fn mobile_numbers_of_several_countries() {
        // Example numbers from libphonenumber's metadata.
        let cases = [
            ("+49 1512 3456789", "+4915123456789"),
            ("0049 1512 3456789", "+4915123456789"),
            ("+48 512-345-678", "+48512345678"),
            ("+48 500-100-200", "+48500100200"),
            ("0048500100200", "+48500100200"),
            ("+44 7400 123456", "+447400123456"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+43 664 123456", "+43664123456"),
            ("+41 78 123 45 67", "+41781234567"),
            ("+1 (201) 555-0123", "+12015550123"),
            ("  +48\u{a0}512\u{a0}345\u{a0}678 ", "+48512345678"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input).unwrap(), expected, "input {input:?}");
        }
    }

    #[test]
    fn normalized_number_is_unchanged() {
        assert_eq!(normalize("+4915123456789").unwrap(), "+4915123456789");
    }

    #[test]
    fn default_region_reads_national_numbers() {
        let cases = [
            ("01512 3456789", "DE", "+4915123456789"),
            ("512 345 678", "PL", "+48512345678"),
            ("06 12 34 56 78", "fr", "+33612345678"),
            ("(201) 555-0123", "US", "+12015550123"),
            // An international number keeps its own country whatever the default region.
            ("+48 512 345 678", "DE", "+48512345678"),
            ("0048 512 345 678", "US", "+48512345678"),
        ];
        for (input, region, expected) in cases {
            assert_eq!(
                normalize_phone(input, region, "").unwrap(),
                expected,
                "input {input:?} in {region}"
            );
        }
    }

    #[test]
    fn national_number_without_region_is_invalid() {
        let (reason, message) = rejection(normalize("01512 3456789"));
        assert_eq!(reason, PhoneRejection::Invalid);
        assert!(message.contains("country code"), "{message}");
    }

    #[test]
    fn premium_rate_numbers_rejected() {
        for input in ["+49 900 1234567", "+44 909 876 5432", "+48 701 234 567"] {
            let (reason, message) = rejection(normalize(input));
            assert_eq!(reason, PhoneRejection::Type, "input {input:?}");
            assert!(message.contains("premium-rate"), "{message}");
        }
    }

    #[test]
    fn shared_cost_numbers_rejected() {
        for input in ["+33 8 84 01 23 45", "+43 810 123456", "+48 801 234 567"] {
            let (reason, message) = rejection(normalize(input));
            assert_eq!(reason, PhoneRejection::Type, "input {input:?}");
            assert!(message.contains("shared-cost"), "{message}");
        }
    }

    #[test]
    fn country_outside_allow_list_rejected() {
        assert_eq!(
            normalize_phone("+43 664 123456", "", "de, AT").unwrap(),
            "+43664123456"
        );
        for input in ["+48 512 345 678", "+33 6 12 34 56 78", "+1 201 555 0123"] {
            let (reason, message) = rejection(normalize_phone(input, "", "DE,AT"));
            assert_eq!(reason, PhoneRejection::Country, "input {input:?}");
            assert!(message.contains("DE, AT"), "{message}");
        }
    }

    #[test]
    fn invalid_input_rejected() {
        let cases = [
            "",
            "   ",
            "hello",
            "+49 123",
            "+999 123 456 789",
            "+48 512 345 678 9012 3456",
            "+49 1512 3456789 ext. 12",
            "+4+9 1512 3456789",
            &"1".repeat(100),
        ];
        for input in cases {
            let (reason, _) = rejection(normalize(input));
            assert_eq!(reason, PhoneRejection::Invalid, "input {input:?}");
        }
    }

    #[test]
    fn messages_never_echo_the_number() {
        let inputs = [
            ("+49 1512 3456789 ext. 12", "", ""),
            ("01512 3456789", "", ""),
            ("+49 900 1234567", "", ""),
            ("+48 512 345 678", "", "DE"),
        ];
        for (input, region, allowed) in inputs {
            let (_, message) = rejection(normalize_phone(input, region, allowed));
            for fragment in ["3456789", "1234567", "345 678", "345678"] {
                assert!(!message.contains(fragment), "input {input:?}: {message}");
            }
        }
    }

    #[test]
    fn region_settings_are_validated() {
        let cases = [
            ("XX", "", keys::DEFAULT_REGION),
            ("DEU", "", keys::DEFAULT_REGION),
            ("4", "", keys::DEFAULT_REGION),
            ("", "DE,ZZ", keys::ALLOWED_COUNTRIES),
            ("", "DE;AT", keys::ALLOWED_COUNTRIES),
        ];
        for (region, allowed, expected_field) in cases {
            match PhonePolicy::parse(region, allowed) {
                Err(Error::InvalidConfig { field, .. }) => {
                    assert_eq!(field, expected_field, "{region:?} {allowed:?}")
                }
                other => panic!("expected InvalidConfig, got {other:?}"),
            }
        }
    }

    #[test]
    fn region_settings_are_normalized() {
        let policy = PhonePolicy::parse(" de ", "pl, DE,,pl ").unwrap();
        assert_eq!(policy.default_region_text(), "DE");
        assert_eq!(policy.allowed_countries_text(), "PL,DE");
        let empty = PhonePolicy::parse("", "").unwrap();
        assert_eq!(empty.default_region_text(), "");
        assert_eq!(empty.allowed_countries_text(), "");
    }

    #[test]
    fn e164_shape_check() {
        for phone in ["+48500100200", "+6834002", "+123456789012345"] {
            check_e164(phone).unwrap();
        }
        for phone in [
            "",
            "48500100200",
            "+48 500100200",
            "+0485001002",
            "+123456",
            "+1234567890123456",
            "+4850010020a",
        ] {
            assert!(check_e164(phone).is_err(), "{phone:?}");
        }
    }

    #[test]
    fn masks_e164_numbers() {
        assert_eq!(mask_phone("+48500100200"), "+48******200");
        assert_eq!(mask_phone("+12345678"), "+12***678");
        assert_eq!(mask_phone("+123456789012345"), "+12**********345");
    }

    #[test]
    fn masks_short_or_formatted_input() {
        assert_eq!(mask_phone("+1234567"), "+*******");
        assert_eq!(mask_phone("+48 500 100 200"), "+48 *** *** 200");
        assert_eq!(mask_phone(""), "");
    }
}
