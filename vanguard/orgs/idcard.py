"""Chinese resident ID-card numbers (GB 11643-1999): checksum and masking."""

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def is_valid(value: str) -> bool:
    """18 characters, a real birth date, and the ISO 7064 MOD 11-2 check digit."""
    value = normalise(value)
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return check_digit(value[:17]) == value[17]


def birth_date(value: str) -> date:
    value = normalise(value)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_code(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "male" if int(normalise(value)[16]) % 2 else "female"


def mask(value: str) -> str:
    value = normalise(value)
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_phone(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 7:
        return value and "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def make(region: str, born: date, sequence: int) -> str:
    """Build a valid number (for demo data and tests)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
