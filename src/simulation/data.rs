//! Made-up but valid business data for a simulation: people, US addresses, books with valid
//! ISBN-13s, all drawn from a seeded generator so a seed reproduces a run.

/// SplitMix64: small, fast, and good enough to pick names and dice rolls reproducibly.
#[derive(Debug, Clone)]
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gia", "Hal", "Iris", "Jon", "Kai", "Lena", "Milo", "Nia", "Otto",
    "Pia", "Quinn", "Rosa", "Sam", "Tess", "Uma", "Vic", "Wren", "Xavi", "Yara", "Zed",
];
const LAST: &[&str] = &[
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hughes", "Ito", "Jones", "Kim", "Lopez", "Moore",
    "Nguyen", "Okafor", "Patel", "Quist", "Reyes", "Smith", "Tanaka", "Ueda", "Vega", "Wang", "Xu", "Young", "Zhou",
];
/// (state, a city in it, a valid ZIP prefix there).
pub const PLACES: &[(&str, &str, &str)] = &[
    ("TX", "Austin", "787"),
    ("TX", "Dallas", "752"),
    ("CA", "Oakland", "946"),
    ("CA", "San Diego", "921"),
    ("NY", "Buffalo", "142"),
    ("IL", "Chicago", "606"),
    ("WA", "Seattle", "981"),
    ("FL", "Tampa", "336"),
    ("GA", "Atlanta", "303"),
    ("MA", "Boston", "021"),
    ("CO", "Denver", "802"),
    ("OH", "Columbus", "432"),
    ("MN", "Duluth", "558"),
    ("AZ", "Tucson", "857"),
    ("OR", "Portland", "972"),
    ("MI", "Detroit", "482"),
];
pub const GENRES: &[&str] = &[
    "mystery",
    "thriller",
    "romance",
    "science-fiction",
    "fantasy",
    "historical-fiction",
    "literary-fiction",
    "horror",
    "biography",
    "history",
    "science",
    "self-help",
    "poetry",
    "young-adult",
    "childrens",
    "graphic-novel",
];
const TITLE_A: &[&str] = &["The", "A", "Our", "Their", "No", "Every"];
const TITLE_B: &[&str] = &[
    "Silent", "Hidden", "Last", "Golden", "Broken", "Distant", "Secret", "Midnight", "Wild", "Paper", "Glass", "Iron",
];
const TITLE_C: &[&str] = &[
    "Harbor", "Garden", "Letter", "Orbit", "Kingdom", "River", "Archive", "Lantern", "Winter", "Machine", "Island",
    "Verse",
];

/// A person to register.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub line1: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub genres: Vec<String>,
    pub books_per_month: u32,
}

pub fn person(dice: &mut Dice, n: u64) -> Person {
    let (first, last) = (*dice.pick(FIRST), *dice.pick(LAST));
    let (state, city, zip) = *dice.pick(PLACES);
    let genre_count = 1 + dice.below(3) as usize;
    let mut genres: Vec<String> = Vec::new();
    while genres.len() < genre_count {
        let g = dice.pick(GENRES).to_string();
        if !genres.contains(&g) {
            genres.push(g);
        }
    }
    Person {
        name: format!("{first} {last}"),
        email: format!("{}.{}.{n}@example.com", first.to_lowercase(), last.to_lowercase()),
        line1: format!("{} {} St", 1 + dice.below(9_999), dice.pick(TITLE_C)),
        city: city.to_owned(),
        state: state.to_owned(),
        postal_code: format!("{zip}{:02}", dice.below(100)),
        genres,
        books_per_month: 1 + dice.below(3) as u32,
    }
}

/// A book for the catalog.
#[derive(Debug, Clone)]
pub struct Book {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
}

/// The `n`-th made-up ISBN-13 (prefix 979-8, a valid check digit).
pub fn isbn13(n: u64) -> String {
    let body = format!("9798{:08}", n % 100_000_000);
    let check = kernel::formats::isbn::isbn13_check_digit(&body).expect("twelve digits");
    format!("{body}{check}")
}

pub fn book(dice: &mut Dice, n: u64) -> Book {
    let mut genres = vec![dice.pick(GENRES).to_string()];
    if dice.chance(0.4) {
        let g = dice.pick(GENRES).to_string();
        if !genres.contains(&g) {
            genres.push(g);
        }
    }
    Book {
        isbn: isbn13(n),
        title: format!("{} {} {}", dice.pick(TITLE_A), dice.pick(TITLE_B), dice.pick(TITLE_C)),
        genres,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_isbns_carry_a_valid_check_digit() {
        // 979-8-00000001-? : weights 1,3,1,3,... over the first twelve digits.
        for n in [0, 1, 42, 99_999_999] {
            let isbn = isbn13(n);
            let sum: u32 =
                isbn.bytes().enumerate().map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 }).sum();
            assert_eq!(sum % 10, 0, "{isbn}");
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_world() {
        let (mut a, mut b) = (Dice::new(9), Dice::new(9));
        let xs: Vec<String> = (0..20).map(|n| person(&mut a, n).email).collect();
        let ys: Vec<String> = (0..20).map(|n| person(&mut b, n).email).collect();
        assert_eq!(xs, ys);
        let mut c = Dice::new(1);
        assert!((0..1000).all(|_| c.below(7) < 7));
        assert!(!Dice::new(3).chance(0.0));
    }
}
