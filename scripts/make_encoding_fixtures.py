"""Build tests/data/encodings/: one Vietnamese text in every encoding cchc reads, made by converters that are
not cchc's own, so a wrong table in src/cchc_cli/legacy.py cannot pass its own test.

    pip install -e ".[fixtures]"      # the PyPI package vietnamese==0.0.8 (Converter: TCVN3, VNI_WIN tables)
    python scripts/make_encoding_fixtures.py [--corpus ../shared/corpus/ubnd_docs.txt.gz]

The committed fixtures were made with vietnamese 0.0.8 and glibc 2.36 iconv (Debian 12):

| file                    | bytes made by                                                        |
|-------------------------|----------------------------------------------------------------------|
| expected.txt            | the text itself: UTF-8, NFC                                          |
| sample.tcvn3.txt        | vietnamese.Converter().convert(text, "TCVN3", "UNICODE"), as cp1252  |
| sample.vni.txt          | vietnamese.Converter().convert(text, "VNI_WIN", "UNICODE"), as cp1252 |
| sample.tcvn5712-1.txt   | iconv -t TCVN5712-1 (glibc: TCVN 5712 VN1, capitals included)        |
| sample.cp1258.txt       | iconv -t CP1258 (glibc: tone marks as combining characters)          |
| sample.utf16le.txt      | Python's utf-16-le codec, with a byte-order mark                     |
| sample.utf8bom.txt      | Python's utf-8 codec, with a byte-order mark                         |
| western.cp1252.txt      | iconv -t CP1252 of French, German, Spanish, Italian and Portuguese   |
| alphabet.*.txt          | every Vietnamese letter, small and capital, by the same converters   |

The 'vietnamese' converter writes a capital with a tone, which TCVN3 has no code for, as the capital base
letter followed by the small toned letter ("Uñy" for "Ủy"); cchc reads that pair back as the capital.
As a cross-check, the two independent converters must agree on the lowercased text (TCVN3 is VN1's
lowercase subset); the script stops if they do not.

The Vietnamese text is the start of one provincial decision from the shared corpus (a public
administrative document, not a sample or gold file), with its Markdown marks removed.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import re
import subprocess
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "encodings"
DOCUMENT = "tnt305_legal_md/docs_ubnd/01bf9d04a5b9e2c8.md"
WORDS = 320

WESTERN = """\
Le conseil municipal s'est réuni à la mairie le 12 février pour examiner le budget de l'année à venir.
Après un débat animé, les élus ont approuvé la création d'un guichet unique où les habitants pourront déposer
leurs demandes de permis, de cartes d'identité et d'actes d'état civil. Le maire a rappelé que la procédure
sera simplifiée : moins de formulaires, des délais réduits et un suivi en ligne. « Nous voulons que chacun
puisse obtenir une réponse en trois jours », a-t-il déclaré, là où il fallait autrefois attendre des semaines.
Déjà, les agents ont reçu une formation ; d'ici l'été, le système sera étendu aux écoles et à la bibliothèque.
Die Gemeindeverwaltung hat am Montag ein neues Bürgerbüro eröffnet. Künftig können Anträge für Pässe,
Führerscheine und Baugenehmigungen an einem einzigen Schalter gestellt werden. Der Bürgermeister erklärte,
dass die Wartezeiten deutlich kürzer würden und dass für die Übermittlung der Unterlagen ein gesichertes
Verfahren zur Verfügung stehe. Außerdem soll die Straße vor dem Rathaus für Fußgänger umgestaltet werden.
Größere Änderungen betreffen die Gebührenordnung; über die Höhe der Beiträge entscheidet der Gemeinderat.
El ayuntamiento aprobó el miércoles un plan para simplificar los trámites administrativos. Según el alcalde,
los ciudadanos podrán solicitar la renovación del pasaporte, la licencia de obras y el certificado de
empadronamiento en una sola ventanilla, sin necesidad de presentar copias en papel. La reforma empezará en
enero del próximo año y se extenderá a todas las oficinas públicas de la región antes de que acabe el verano.
Il consiglio comunale ha approvato lunedì un nuovo regolamento: sarà più semplice chiedere i certificati,
perché tutte le domande potranno essere inviate online. Così i cittadini non dovranno più fare la fila; però
gli uffici resteranno aperti il martedì e il giovedì per chi ha bisogno di aiuto. Ciò vale anche per le
attività commerciali, che potranno presentare le pratiche in modo più rapido e avranno una risposta entro
trenta giorni, come previsto dalla legge della città.
A prefeitura anunciou que os serviços públicos serão reunidos num único balcão de atendimento. Não será
necessário apresentar cópias autenticadas: a verificação dos documentos será feita pela própria administração,
que também publicará a relação das exigências em linguagem clara. As mudanças começam em março e vão até
dezembro, segundo a secretária de gestão, que pediu a colaboração de todos os órgãos municipais.
"""


def vietnamese_text(corpus: Path) -> str:
    """The first WORDS words of DOCUMENT, whole lines, without Markdown emphasis, table pipes and rules."""
    lines: list[str] = []
    inside = False
    with gzip.open(corpus, "rt", encoding="utf-8") as source:
        for line in source:
            if line.startswith("=== "):
                if inside:
                    break
                inside = line[4:].strip() == DOCUMENT
                continue
            if not inside:
                continue
            line = line.replace("*", "").strip()
            if not line or line == "|" or re.fullmatch(r"-{3,}", line):
                continue
            lines.append(line)
            if sum(len(x.split()) for x in lines) >= WORDS:
                break
    if not lines:
        raise SystemExit(f"{DOCUMENT} not found in {corpus}")
    return unicodedata.normalize("NFC", "\n".join(lines) + "\n")


def alphabet() -> str:
    """Every letter with a vowel mark or a tone, small then capital, one line of each vowel, then đ Đ."""
    lines = []
    for vowels in ["aăâ", "eê", "i", "oôơ", "uư", "y"]:
        for case in (str.lower, str.upper):
            lines.append(" ".join(unicodedata.normalize("NFC", case(v) + tone)
                                  for v in vowels for tone in ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]))
    return "\n".join([*lines, "đ Đ"]) + "\n"


def iconv(text: str, target: str) -> bytes:
    done = subprocess.run(["iconv", "-f", "UTF-8", "-t", target], input=text.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"iconv -t {target}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "ubnd_docs.txt.gz")
    args = parser.parse_args()

    import vietnamese  # the independent converter (dev only: pip install vietnamese==0.0.8)

    converter = vietnamese.Converter()
    text = vietnamese_text(args.corpus)
    tcvn3 = converter.convert(text, "TCVN3", "UNICODE").encode("cp1252")
    vni = converter.convert(text, "VNI_WIN", "UNICODE").encode("cp1252")
    lower = text.lower()
    if converter.convert(lower, "TCVN3", "UNICODE").encode("cp1252") != iconv(lower, "TCVN5712-1"):
        raise SystemExit("the two converters disagree on the lowercase TCVN3 text: check them before going on")
    files = {
        "expected.txt": text.encode("utf-8"),
        "sample.tcvn3.txt": tcvn3,
        "sample.vni.txt": vni,
        "sample.tcvn5712-1.txt": iconv(text, "TCVN5712-1"),
        "sample.cp1258.txt": iconv(text, "CP1258"),
        "sample.utf16le.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "sample.utf8bom.txt": codecs.BOM_UTF8 + text.encode("utf-8"),
        "western.cp1252.txt": iconv(WESTERN, "CP1252"),
        "alphabet.expected.txt": alphabet().encode("utf-8"),
        "alphabet.tcvn3.txt": converter.convert(alphabet(), "TCVN3", "UNICODE").encode("cp1252"),
        "alphabet.vni.txt": converter.convert(alphabet(), "VNI_WIN", "UNICODE").encode("cp1252"),
        "alphabet.tcvn5712-1.txt": iconv(alphabet(), "TCVN5712-1"),
        "alphabet.cp1258.txt": iconv(alphabet(), "CP1258"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name:24s} {len(data):6d} bytes")
    print(f"{len(text.split())} words, {text.count(chr(10))} lines from {DOCUMENT}")


if __name__ == "__main__":
    main()
