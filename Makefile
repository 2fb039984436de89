# kehoach: `make run` converts corpus/ into outputs/latest; `make test` runs the tests.
# Both set up what is missing first (Debian tesseract + Vietnamese data, antiword, .venv, packages).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps vocabularies bytecode run test bench clean
setup: system-deps $(STAMP) vocabularies bytecode

# Pickle the vocabularies (pipeline.params.read_yaml): a worker then reads them from __pycache__ even where
# PYTHONDONTWRITEBYTECODE is set (else every worker parses the YAML vocabularies, 0.07 s). Only changed
# files are done again. The agency gazetteer's structures are pickled too (extractors.agencies.gazetteer:
# 0.02 s to build, keyed on agencies.yaml and the code that builds them).
vocabularies: $(STAMP)
	@$(BIN)/python -c "from pipeline.params import write_yaml_caches; write_yaml_caches()"
	@$(BIN)/python -c "from extractors.agencies import write_gazetteer_cache; write_gazetteer_cache()"

# Byte-compile the packages: where PYTHONDONTWRITEBYTECODE is set, every run would compile them from
# source again (0.1 s of each run's start). A source edited later is compiled from source again until
# the next `make setup`; stale bytecode is never used.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q pipeline extractors diacritics

system-deps:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie \
	  && tesseract --list-langs 2>/dev/null | grep -qx osd; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing tesseract-ocr, tesseract-ocr-vie and tesseract-ocr-osd (page orientation) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd >/dev/null; \
	else \
	  echo "OCR needs Debian packages; run: sudo apt-get install -y tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd"; \
	fi
	@if command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing poppler-utils (pdftoppm, for benchmarks/ocr.py) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	else \
	  echo "benchmarks/ocr.py needs pdftoppm; run: sudo apt-get install -y poppler-utils"; \
	fi
	@if command -v antiword >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing antiword (legacy Word .doc) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq antiword >/dev/null; \
	else \
	  echo "Legacy Word (.doc) needs antiword; run: sudo apt-get install -y antiword"; \
	fi
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing chromium (headless, for the HTML diff report test) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The HTML diff report test needs chromium; run: sudo apt-get install -y chromium"; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/kehoach run corpus/ --out outputs/latest

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/diacritics.py

clean:
	rm -rf $(VENV) outputs/latest
