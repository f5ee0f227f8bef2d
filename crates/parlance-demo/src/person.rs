//! Who each demo person is: kind, names, contact details and their quirks.
//! Derived from the person's own seeded stream, so any person's identity can
//! be recomputed on its own (a household member borrows a neighbour's email).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const FIRST: &[&str] = &[
    "Anna", "Ben", "Chloe", "Daniel", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jonas", "Kira", "Liam",
    "Maya", "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Will", "Xenia",
    "Yusuf", "Zoe", "Amir", "Beatriz", "Carlos", "Dana", "Emil", "Fatima", "Georg", "Hanna", "Ivan", "Julia",
    "Karim", "Lena", "Marco", "Nina",
];
const LAST: &[&str] = &[
    "Smith",
    "Jones",
    "Garcia",
    "Müller",
    "Rossi",
    "Novak",
    "Khan",
    "Silva",
    "Dubois",
    "Jansen",
    "Nowak",
    "Larsen",
    "Costa",
    "Weber",
    "Ivanova",
    "Okafor",
    "Tanaka",
    "Murphy",
    "Fischer",
    "Moreau",
    "Lopez",
    "Ahmed",
    "Berg",
    "Kowalski",
    "Romano",
    "Schmidt",
    "Walsh",
    "Haddad",
    "Petrov",
    "Lindqvist",
];
const CITIES: &[&str] = &[
    "London",
    "Manchester",
    "Leeds",
    "Bristol",
    "Glasgow",
    "Dublin",
    "Cardiff",
    "Edinburgh",
    "Birmingham",
    "Liverpool",
    "Brighton",
    "Oxford",
    "Cambridge",
    "Belfast",
    "York",
];
const DOMAINS: &[&str] = &["mailbox.demo", "postal.demo", "inbox.demo", "letterbox.demo", "homenet.demo"];
const TEST_EMAILS: &[&str] = &["test@example.com", "qa@test.com", "null", "anonymous"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Browses the web site, never identifies.
    Anonymous,
    /// Signs up to the newsletter; may browse; never buys.
    Subscriber,
    /// Buys (and usually subscribes too).
    Customer,
    /// A staff test account placing test orders with a junk email.
    TestAccount,
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub index: u32,
    pub kind: Kind,
    pub first: &'static str,
    pub last: &'static str,
    pub city: &'static str,
    /// The email the person uses now, lower case.
    pub email: Option<String>,
    /// An earlier email, still the one the email tool knows.
    pub old_email: Option<String>,
    /// Another person's email this person shares (a household).
    pub shares_email_of: Option<u32>,
    /// The ten digits of a UK mobile number after the +44 country code.
    pub phone: Option<String>,
    /// Cookie / device ids the web site sees.
    pub devices: Vec<String>,
    /// The shop stores the email with capitals as typed.
    pub email_typed_with_caps: bool,
    /// Support agents mistype the email.
    pub support_typo: bool,
    /// Checked out once more as a guest: a second shop customer record.
    pub guest_checkout: bool,
    pub subscribes: bool,
}

pub fn stream(seed: u64, index: u32, purpose: u64) -> ChaCha8Rng {
    // Distinct, well-mixed seeds per (person, purpose): SplitMix64 finaliser.
    let mut z = seed ^ (u64::from(index) << 8) ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// The identity of person `index` alone, without the household lookup.
fn own_identity(seed: u64, index: u32) -> Identity {
    let mut rng = stream(seed, index, 1);
    let roll: f64 = rng.random();
    let kind = match roll {
        r if r < 0.60 => Kind::Anonymous,
        r if r < 0.70 => Kind::Subscriber,
        r if r < 0.997 => Kind::Customer,
        _ => Kind::TestAccount,
    };
    let first = pick(&mut rng, FIRST);
    let last = pick(&mut rng, LAST);
    let city = pick(&mut rng, CITIES);
    let device_count = if rng.random_bool(0.3) { 2 } else { 1 };
    let devices = (0..device_count)
        .map(|d| format!("anon-{index:x}-{d}-{:06x}", rng.random::<u32>() & 0xFF_FFFF))
        .collect();
    let identified = kind != Kind::Anonymous;
    let local = format!("{}.{}{index}", ascii(first), ascii(last));
    let domain = pick(&mut rng, DOMAINS);
    let email = match kind {
        Kind::Anonymous => None,
        Kind::TestAccount => Some(pick(&mut rng, TEST_EMAILS).to_owned()),
        _ => Some(format!("{local}@{domain}")),
    };
    let changed = identified && kind != Kind::TestAccount && rng.random_bool(0.05);
    let old_email =
        changed.then(|| format!("{}{}.{index}@{}", ascii(first), ascii(last), pick(&mut rng, DOMAINS)));
    let phone =
        (identified && rng.random_bool(0.6)).then(|| format!("7{}{:08}", 4 + index % 6, index % 100_000_000));
    Identity {
        index,
        kind,
        first,
        last,
        city,
        email,
        old_email,
        shares_email_of: None,
        phone,
        devices,
        email_typed_with_caps: rng.random_bool(0.12),
        support_typo: rng.random_bool(0.04),
        guest_checkout: kind == Kind::Customer && rng.random_bool(0.04),
        subscribes: match kind {
            Kind::Subscriber => true,
            Kind::Customer => rng.random_bool(0.8),
            _ => false,
        },
    }
}

/// The identity of person `index`, households resolved: about 2% of customers
/// share the email of the person before them when that person has one.
pub fn identity(seed: u64, index: u32) -> Identity {
    let mut me = own_identity(seed, index);
    let mut rng = stream(seed, index, 2);
    if me.kind == Kind::Customer && index > 0 && rng.random_bool(0.02) {
        let neighbour = own_identity(seed, index - 1);
        if matches!(neighbour.kind, Kind::Customer | Kind::Subscriber) {
            me.email = neighbour.email;
            me.old_email = None;
            me.shares_email_of = Some(index - 1);
            // A shared inbox is subscribed once, by its owner.
            me.subscribes = false;
        }
    }
    me
}

/// Email local parts are ASCII: "Müller" becomes "muller".
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ü' => 'u',
            'ö' => 'o',
            'ä' => 'a',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// A plausible support-desk typo: two neighbouring letters swapped.
pub fn typo(email: &str) -> String {
    let mut chars: Vec<char> = email.chars().collect();
    if chars.len() > 3 {
        chars.swap(1, 2);
    }
    chars.into_iter().collect()
}

/// "Anna.Smith12@Mailbox.demo": how a person types their own email.
pub fn with_caps(email: &str) -> String {
    let mut up = true;
    email
        .chars()
        .map(|c| {
            let out = if up { c.to_ascii_uppercase() } else { c };
            up = matches!(c, '.' | '@');
            out
        })
        .collect()
}
