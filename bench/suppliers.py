"""Deterministic generator of realistic supplier master files, for the benchmarks.

    python bench/suppliers.py 100000 --out /tmp/suppliers-100k.xlsx      # or .csv
    python bench/suppliers.py 1000000 --out /tmp/suppliers-1m.csv

A vendor master as buyers export it: supplier numbers, names written the way each country writes them
(romanised and native script: Chinese, Russian, Korean, Japanese, Vietnamese, Arabic, German, Polish,
Spanish...), legal forms, country, city, street address, a free-text industry, a NAICS code, a contact and
notes. About 8% of rows repeat an earlier supplier (another site, a duplicate record), as real masters do.

Planted among them, from the real lists in ../shared/data/ (OFAC SDN and UN 1718 entity names):
  * true hits (HIT_SHARE): a list name as is, or with its case, word order or legal form changed;
  * near misses (NEAR_SHARE): a list name with one distinctive word replaced, which must not match.
The same count and seed always give the same rows, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

HEADERS = ["Vendor No.", "Supplier Name", "Country", "City", "Street Address", "Industry", "NAICS",
           "Contact", "Email", "Notes"]
HIT_SHARE = 0.0005
NEAR_SHARE = 0.001
REPEAT_SHARE = 0.08

SYLLABLES = ["an", "bo", "chen", "da", "fu", "guang", "hai", "hua", "jin", "kang", "li", "long", "ming", "nan",
             "ping", "qing", "rui", "sheng", "tai", "wei", "xin", "yang", "yuan", "zhong", "xing", "feng", "hong",
             "bao", "cheng", "de", "heng", "jia", "lian", "mei", "run", "shun", "tong", "wan", "xiang", "yi"]
HAN = list("安宝晨达福广海华金康丽龙明南平庆瑞盛泰伟鑫阳远中兴丰宏诚德恒嘉联美润顺通万祥益")
RU_WORDS = ["Северный", "Восток", "Балтика", "Импульс", "Сибирь", "Альянс", "Вектор", "Гранит", "Меридиан",
            "Прогресс", "Стандарт", "Техно", "Урал", "Феникс", "Элемент", "Заря", "Каскад", "Лидер", "Орион"]
RU_ROMAN = ["Severny", "Vostok", "Baltika", "Impuls", "Sibir", "Alyans", "Vektor", "Granit", "Meridian",
            "Progress", "Standart", "Tekhno", "Ural", "Feniks", "Element", "Zarya", "Kaskad", "Lider", "Orion"]
HANGUL = ["한빛", "대성", "동양", "미래", "새한", "서울", "신성", "아주", "우진", "일신", "태양", "한국", "현대", "금강"]
JA = ["山田", "東洋", "日本", "大和", "富士", "三和", "中央", "北海", "朝日", "昭和", "丸紅", "新光"]
VN = ["Hoàng Long", "Minh Phát", "Thành Công", "Việt Tiến", "Đại Dương", "Hải Âu", "Phú Thịnh", "An Khang"]
AR = ["النور", "الخليج", "الفجر", "الأمل", "الصحراء", "الوطنية", "المستقبل", "البحار"]
AR_ROMAN = ["Al Noor", "Al Khaleej", "Al Fajr", "Al Amal", "Al Sahraa", "Al Wataniya", "Al Mustaqbal"]
SURNAMES = ["Müller", "Schmidt", "Kowalski", "Nowak", "Smith", "Johnson", "García", "Martínez", "Rossi",
            "Dubois", "Hansen", "Larsen", "Novak", "Horvat", "Silva", "Santos", "Nguyen", "Tran", "Lee", "Park",
            "Wong", "Chan", "Tanaka", "Sato", "Ivanov", "Petrov", "Popescu", "Jensen", "Berg", "Kaya", "Yilmaz"]
GIVEN = ["Anna", "Peter", "Maria", "John", "Olga", "Jan", "Sofia", "Luis", "Mei", "Hiroshi", "Ahmed", "Elena",
         "Tomasz", "Ingrid", "Carlos", "Aisha", "Min-jun", "Thanh", "Ivan", "Fatima"]
WORDS_EN = ["Pacific", "Northern", "Blue Ocean", "Great Wall", "Sunrise", "Harbor", "Silver", "Eastern Star",
            "Evergreen", "Atlas", "Lotus", "Nordic", "Jade", "Summit", "Pioneer", "Keystone", "Meridian", "Apex"]
INDUSTRIES = [  # (English name in supplier names, free-text industry, NAICS)
    ("Seafood", "Frozen seafood processing", "311710"), ("Textile", "Garment manufacturing", "315250"),
    ("Construction", "General construction contractor", "236220"), ("Software", "Custom software development",
    "541511"), ("Timber", "Logging and sawn timber", "113310"), ("Shipyard", "Ship repair and building",
    "336611"), ("Foods", "Food wholesale", "424490"), ("Logistics", "Freight forwarding", "488510"),
    ("Electronics", "Electronic components", "334419"), ("Packaging", "Corrugated packaging", "322211"),
    ("Machinery", "Industrial machinery", "333249"), ("Chemicals", "Industrial chemicals", "325199"),
    ("Plastics", "Plastic injection moulding", "326199"), ("Furniture", "Furniture manufacturing", "337121"),
    ("Hotel", "Hotel and restaurant", "721110"), ("Fisheries", "Fish farm (aquaculture)", "112511"),
    ("Steel", "Steel fabrication", "332312"), ("Medical", "Medical supplies", "423450"),
]
COUNTRIES = [  # (country as written in the master, cities, weight, name style)
    ("China", ["Dalian", "Shenyang", "Shenzhen", "Qingdao", "Dandong", "Hunchun", "Ningbo"], 22, "cn"),
    ("United States", ["Seattle", "Houston", "Chicago", "Atlanta"], 12, "en"),
    ("Germany", ["Hamburg", "Bremen", "Stuttgart", "Köln"], 8, "de"),
    ("Russian Federation", ["Vladivostok", "Moscow", "Khabarovsk", "St Petersburg"], 7, "ru"),
    ("Poland", ["Gdańsk", "Szczecin", "Łódź"], 5, "pl"),
    ("Republic of Korea", ["Busan", "Seoul", "Ulsan"], 6, "kr"),
    ("Japan", ["Osaka", "Yokohama", "Nagoya"], 5, "ja"),
    ("Viet Nam", ["Hai Phong", "Ho Chi Minh City", "Da Nang"], 6, "vn"),
    ("United Arab Emirates", ["Dubai", "Sharjah"], 4, "ar"),
    ("Kuwait", ["Kuwait City"], 2, "ar"),
    ("Mexico", ["Monterrey", "Guadalajara"], 4, "es"),
    ("Spain", ["Vigo", "Valencia"], 3, "es"),
    ("Malaysia", ["Johor Bahru", "Penang"], 3, "my"),
    ("Norway", ["Bergen", "Ålesund"], 2, "no"),
    ("Taiwan", ["Kaohsiung", "Taichung"], 3, "tw"),
    ("United Kingdom", ["Hull", "Aberdeen"], 4, "en"),
    ("Mongolia", ["Ulaanbaatar"], 1, "en"),
    ("DPRK", ["Pyongyang", "Nampo"], 0.02, "en"),
]
STREETS = ["Harbour Road", "Industrial Park", "Main Street", "Jiefang Lu", "ul. Portowa", "Hauptstraße",
           "Calle Mayor", "Nguyen Trai", "Sheikh Zayed Rd", "Teheran-ro", "Lenina ul."]
NOTES = ["", "", "", "", "", "preferred supplier", "payment terms 60 days", "audited 2025", "new vendor",
         "ISO 9001", "blocked for invoicing", "see contract 2024-117"]


def _coined(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3 if rng.random() < 0.4 else 2)).capitalize()


def company_name(rng: random.Random, style: str, city: str, industry: str) -> str:
    """A supplier name written the way a firm of that country writes it (native script in part)."""
    if rng.random() < 0.08:  # sole traders and individuals
        return f"{rng.choice(GIVEN)} {rng.choice(GIVEN)[0]}. {rng.choice(SURNAMES)}-{_coined(rng)}"
    if style == "cn":
        if rng.random() < 0.35:
            return "".join(rng.sample(HAN, 3)) + rng.choice(["海产品", "纺织", "建筑工程", "软件", "贸易", "物流"]) + "有限公司"
        return f"{city} {_coined(rng)} {industry} {rng.choice(['Co., Ltd.', 'Co. Ltd', 'Company Limited', 'Group'])}"
    if style == "tw":
        return "".join(rng.sample(HAN, 4)) + rng.choice(["股份有限公司", "企業社", "實業有限公司"])
    if style == "ru":
        if rng.random() < 0.5:
            return f"ООО «{rng.choice(RU_WORDS)} {rng.choice(RU_WORDS)} {rng.choice(RU_WORDS)}»"
        return f"{rng.choice(['OOO', 'AO', 'LLC'])} {rng.choice(RU_ROMAN)}-{rng.choice(RU_ROMAN)} {industry}"
    if style == "kr":
        if rng.random() < 0.5:
            return f"{rng.choice(HANGUL)}{rng.choice(HANGUL)}{rng.choice(HANGUL)} 주식회사"
        return f"{rng.choice(['Hanil', 'Daesung', 'Samjin', 'Woojin', 'Sunkyung'])} {industry} Co., Ltd."
    if style == "ja":
        return f"株式会社{rng.choice(JA)}{rng.choice(JA)}{rng.choice(JA)}" if rng.random() < 0.5 else f"{rng.choice(JA)}{rng.choice(JA)}工業株式会社"
    if style == "vn":
        return f"Công ty TNHH {rng.choice(VN)} {_coined(rng)}"
    if style == "ar":
        if rng.random() < 0.4:
            return f"شركة {rng.choice(AR)} {rng.choice(AR)} {rng.choice(AR)} للتجارة"
        return f"{rng.choice(AR_ROMAN)} {_coined(rng)} {industry} {rng.choice(['LLC', 'FZE', 'FZCO', 'W.L.L.'])}"
    if style == "de":
        return f"{rng.choice(SURNAMES)} {_coined(rng)} {industry} {rng.choice(['GmbH', 'GmbH & Co. KG', 'AG'])}"
    if style == "pl":
        return f"{rng.choice(SURNAMES)}-{_coined(rng)} {rng.choice(['Sp. z o.o.', 'S.A.', 'sp.j.'])}"
    if style == "es":
        return f"{rng.choice(['Grupo', 'Industrias', 'Comercial'])} {_coined(rng)} {rng.choice(['S.A. de C.V.', 'S.L.', 'S.A.'])}"
    if style == "my":
        return f"{_coined(rng)} {industry} {rng.choice(['Sdn. Bhd.', 'Sdn Bhd', 'Berhad'])}"
    if style == "no":
        return f"{_coined(rng)} {industry} {rng.choice(['AS', 'ASA'])}"
    return f"{rng.choice(WORDS_EN)} {_coined(rng)} {industry} {rng.choice(['Inc.', 'LLC', 'Ltd', 'Corp.', '& Sons'])}"


def list_names() -> tuple[list[str], list[str]]:
    """Entity names from the real OFAC SDN and UN files in ../shared/data (empty when they are absent)."""
    entities: list[str] = []
    sdn = SHARED / "ofac_sdn_latest" / "sdn.csv"
    if sdn.exists():
        with sdn.open(encoding="utf-8", errors="replace", newline="") as handle:
            for record in csv.reader(handle):
                if len(record) > 3 and record[3].strip() == "-0-" and record[1].strip():
                    entities.append(record[1].strip())
    un = SHARED / "un_consolidated" / "consolidated.xml"
    if un.exists():
        import re

        text = un.read_text(encoding="utf-8", errors="replace")
        for block in re.findall(r"<ENTITY>.*?</ENTITY>", text, flags=re.S):
            found = re.search(r"<FIRST_NAME>([^<]+)</FIRST_NAME>", block)
            if found:
                entities.append(found.group(1).strip())
    # Long names and names of a few letters are both rare in vendor masters.
    chosen = sorted({n for n in entities if 8 <= len(n) <= 60})
    return chosen, [n for n in chosen if len(n.split()) >= 3]


def _variant(rng: random.Random, name: str) -> str:
    """A true-hit variant: as listed, case changed, words reordered or the legal form changed."""
    words = name.split()
    how = rng.randrange(4)
    if how == 1:
        return name.title() if name.isupper() else name.upper()
    if how == 2 and len(words) >= 2:
        return " ".join(words[1:] + words[:1])
    if how == 3:
        return f"{name.rstrip('.')} {rng.choice(['Co., Ltd.', 'LLC', 'Limited'])}"
    return name


def _near_miss(rng: random.Random, name: str) -> str:
    """A list name with its most distinctive (longest) word swapped for an unrelated one: not a hit."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = rng.choice(["Meridian", "Evergreen", "Keystone", "Pioneer", "Harborline", "Summitview"])
    return " ".join(words)


def generate(count: int, seed: int = 2026) -> Iterator[list[str]]:
    """`count` supplier rows (without the header), deterministic for a given count and seed."""
    rng = random.Random(seed)
    hits, near = list_names()
    weights = [c[2] for c in COUNTRIES]
    earlier: list[list[str]] = []
    for number in range(1, count + 1):
        vendor = f"V{number:07d}"
        if earlier and rng.random() < REPEAT_SHARE:
            row = list(earlier[rng.randrange(len(earlier))])
            row[0] = vendor
            yield row
            continue
        country, cities, _, style = rng.choices(COUNTRIES, weights)[0]
        city = rng.choice(cities)
        industry, description, naics = rng.choice(INDUSTRIES)
        draw = rng.random()
        if hits and draw < HIT_SHARE:
            name = _variant(rng, rng.choice(hits))
        elif near and draw < HIT_SHARE + NEAR_SHARE:
            name = _near_miss(rng, rng.choice(near))
        else:
            name = company_name(rng, style, city, industry)
        given, surname = rng.choice(GIVEN), rng.choice(SURNAMES)
        row = [vendor, name, country, city, f"{rng.randint(1, 999)} {rng.choice(STREETS)}", description,
               naics if rng.random() < 0.6 else "", f"{given} {surname}",
               f"{given.lower()}.{surname.lower()}@example.com".encode("ascii", "ignore").decode(),
               rng.choice(NOTES)]
        if len(earlier) < 50_000:
            earlier.append(row)
        yield row


def write(path: Path, count: int, seed: int = 2026) -> Path:
    """Write `count` generated rows to `path` (.csv or .xlsx) and return it."""
    rows = generate(count, seed)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Vendor master")
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
        book.save(path)
    else:
        raise SystemExit(f"{path}: write .csv or .xlsx")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--out", type=Path, required=True, help="file to write (.csv or .xlsx)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    write(args.out, args.rows, args.seed)
    print(f"wrote {args.rows} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
