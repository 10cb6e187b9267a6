"""Plain text (one prompt per line) and CSV/TSV (one prompt per row)."""

from __future__ import annotations

import pytest

from ._util import errors, fields, only_record, read, records, texts


def test_text_one_record_per_non_blank_line(tmp_path):
    items = read(tmp_path, "\ufefffirst prompt\r\n\n   \nthird line\nlast without newline", name="p.txt")
    assert [(r.record_id, r.line, texts(r)) for r in items] == [
        ("1", 1, [("user", "first prompt")]),
        ("4", 4, [("user", "third line")]),
        ("5", 5, [("user", "last without newline")]),
    ]


def test_text_invalid_utf8_line_is_skipped_and_reading_continues(tmp_path):
    items = read(tmp_path, b"good one\nbad \xff\xfe line\ngood two\n", name="p.txt")
    (err,) = errors(items)
    assert (err.line, "invalid UTF-8" in err.reason) == (2, True)
    assert [r.line for r in records(items)] == [1, 3]


def test_csv_picks_prompt_column_and_uses_id_and_workload_columns(tmp_path):
    content = "id,workload,prompt\nt-1,card-support,card 4111\n,,no id here\n"
    items = read(tmp_path, content, name="t.csv")
    assert [(r.record_id, r.line, r.workload, texts(r)) for r in items] == [
        ("t-1", 2, "card-support", [("user", "card 4111")]),
        ("3", 3, None, [("user", "no id here")]),
    ]


@pytest.mark.parametrize(("column", "expected"), [("body", "the body"), ("2", "the body"), ("1", "x1")])
def test_csv_column_by_name_or_number_and_the_other_columns_are_fields(tmp_path, column, expected):
    rec = only_record(read(tmp_path, "a,body\nx1,the body\n", name="t.csv", column=column))
    assert texts(rec) == [("user", expected)]
    other = "x1" if column != "1" else "the body"
    assert [text for _, text in fields(rec)] == [other]


def test_csv_without_a_prompt_column_is_a_usage_error_never_a_guess(tmp_path):
    from audit.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        read(tmp_path, "id,model,cost\nr1,gpt-4o,0.001\n", name="helicone.csv")
    assert exc.value.exit_code == 2
    assert "'id', 'model', 'cost'" in str(exc.value) and "--column" in str(exc.value)


def test_csv_answer_column_and_json_cells_are_read(tmp_path):
    content = 'id,prompt,response,meta\nr1,hello,"the card 4111","{""user"": ""jane@example.com""}"\n'
    rec = only_record(read(tmp_path, content, name="t.csv"))
    assert texts(rec) == [("user", "hello"), ("assistant", "the card 4111")]
    assert fields(rec) == [("$.meta.user", "jane@example.com")]


def test_csv_header_names_are_case_insensitive_defaults(tmp_path):
    rec = only_record(read(tmp_path, "Text,Other\nhello,zzz\n", name="t.csv"))
    assert texts(rec) == [("user", "hello")]


def test_csv_missing_column_is_one_error_that_does_not_echo_the_header(tmp_path):
    (err,) = read(tmp_path, "Jane Roe,123-45-6789\nx,y\n", name="t.csv", column="prompt")
    assert err.line == 1 and "--column" in err.reason
    assert "Jane Roe" not in err.reason and "123-45-6789" not in err.reason


def test_csv_multiline_field_reports_the_row_start_line(tmp_path):
    items = read(tmp_path, 'id,prompt\na,"line one\nline two"\nb,next\n', name="t.csv")
    assert [(r.record_id, r.line, r.messages[0].text) for r in items] == [
        ("a", 2, "line one\nline two"),
        ("b", 4, "next"),
    ]


def test_tsv_and_gzipped_csv(tmp_path):
    import gzip

    assert texts(only_record(read(tmp_path, "id\tprompt\n1\ttab, separated\n", name="t.tsv"))) == [
        ("user", "tab, separated")
    ]
    data = gzip.compress(b"id,prompt\n1,zipped row\n")
    assert texts(only_record(read(tmp_path, data, name="t.csv.gz"))) == [("user", "zipped row")]


def test_csv_short_row_and_blank_rows(tmp_path):
    items = read(tmp_path, "id,x,prompt\n1,a\n\n2,b,ok\n", name="t.csv")
    (err,) = errors(items)
    assert err.line == 2 and "3" in err.reason
    assert [r.record_id for r in records(items)] == ["2"]


def test_csv_broken_quoting_skips_the_row_and_continues(tmp_path):
    items = read(tmp_path, 'id,prompt\n1,"closed" junk\n2,fine\n', name="t.csv")
    (err,) = errors(items)
    assert err.line == 2 and "quoting" in err.reason
    assert [r.record_id for r in records(items)] == ["2"]


def test_csv_unclosed_quote_reports_its_row_and_rereads_the_rest(tmp_path):
    items = read(tmp_path, 'id,prompt\n1,"never closed\n2,second\n3,third\n', name="t.csv")
    (err,) = errors(items)
    assert err.line == 2 and "never closed" in err.reason
    assert [(r.record_id, r.line) for r in records(items)] == [("2", 3), ("3", 4)]


def test_csv_row_limit_stops_a_runaway_quote(tmp_path):
    body = 'id,prompt\n1,"open\n' + "".join(f"{i},filler text\n" for i in range(2, 200))
    items = read(tmp_path, body, name="t.csv", max_line_bytes=100)
    assert errors(items)[0].line == 2
    assert "longer than 100 bytes" in errors(items)[0].reason


def test_empty_csv_and_header_only_csv_yield_nothing(tmp_path):
    assert read(tmp_path, "", name="e.csv") == []
    assert read(tmp_path, "id,prompt\n", name="h.csv") == []
