#!/usr/bin/env bash
# Check a folder of OCR'd CCHC documents with cchc, for CI or by hand:
#   ingest DIR into a store, validate it (GitHub annotations on stdout, JUnit XML to a file),
#   export the records as JSON. The export is written even when validation finds errors, so the
#   records can be kept as an artifact; the script then exits with validation's code.
#
# Usage: check-documents.sh DIR
# Environment (all optional):
#   CCHC_PIP_SPEC     install cchc first with pip: a wheel (dist/cchc-0.1.0-py3-none-any.whl), a
#                     checkout (.), or a URL (cchc @ git+https://github.com/ORG/cchc@main)
#   CCHC_DB           the store (default: cchc.db in the current folder; kept between runs, only
#                     changed files are processed again)
#   CCHC_REPORT_DIR   where records.json and cchc-junit.xml go (default: cchc-report)
#   CCHC_STRICT=1     warnings fail the check too
#   CCHC_FORMAT       the annotations' format on stdout: github (default) or table
# Exit: 0 ok (warnings allowed); 1 validation errors; 3 some file could not be read (the others were
# checked; 3 wins over 1); 4 store error; 5 a report could not be written; 2 usage.
set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
    echo "usage: $(basename "$0") DIR  (a folder of .txt documents)" >&2
    exit 2
fi
documents=$1
db=${CCHC_DB:-cchc.db}
report_dir=${CCHC_REPORT_DIR:-cchc-report}
format=${CCHC_FORMAT:-github}
strict=()
if [[ "${CCHC_STRICT:-}" == 1 ]]; then strict=(--strict); fi

if [[ -n "${CCHC_PIP_SPEC:-}" ]]; then
    python -m pip install --quiet "$CCHC_PIP_SPEC"
fi
if ! command -v cchc >/dev/null; then
    echo "check-documents: the cchc command is not on PATH; install it or set CCHC_PIP_SPEC" >&2
    exit 2
fi
mkdir -p "$report_dir"

# A file cchc cannot read (a PDF without text, an undecodable file) is one line on ingest's stderr,
# `cchc: FILE: reason`: shown as it is, and with the github format also as an error annotation on FILE.
annotate_failures() {
    local line file message
    while IFS= read -r line; do
        printf '%s\n' "$line" >&2
        [[ "$format" == github && "$line" == "cchc: "*": "* ]] || continue
        line=${line#cchc: }
        file=${line%%: *}
        message=${line#*: }
        file=${file#./}
        file=${file//%/%25}; file=${file//:/%3A}; file=${file//,/%2C}
        message=${message//%/%25}
        printf '::error file=%s,title=unreadable::%s\n' "$file" "$message"
    done
}

ingest_status=0
cchc ingest "$documents" --db "$db" --quiet 2> >(annotate_failures) || ingest_status=$?
wait  # the annotations are printed before what follows
if [[ $ingest_status -ne 0 && $ingest_status -ne 3 ]]; then
    # Nothing usable was stored (usage or store error): there is nothing to validate or export.
    exit "$ingest_status"
fi

validate_status=0
cchc validate --db "$db" --junit "${strict[@]}" -o "$report_dir/cchc-junit.xml" || validate_status=$?
cchc validate --db "$db" --format "$format" "${strict[@]}" || validate_status=$?

# Always written, so that the workflow can keep the records whatever validation said.
cchc export --db "$db" --json -o "$report_dir/records.json"

if [[ $ingest_status -ne 0 ]]; then
    exit "$ingest_status"
fi
exit "$validate_status"
