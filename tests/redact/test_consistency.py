"""The same person is the same pseudonym in every turn and file; strip material is removed; nothing leaks."""

from __future__ import annotations

import json
import re

from audit.redact.checksums import luhn_ok
from audit.redact.pseudonyms import STRIP_MARKER
from tests.redact.conftest import CARD_TURN, CHAT_TURN, OTHER_PERSON

NAME = re.compile(r"Hi, I'm (.+?), DOB")


def _chat(text, answer="Thanks."):
    return {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": answer}]}


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_same_person_same_surrogate_across_turns_and_files(redact, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(json.dumps(_chat(CHAT_TURN, "Thank you, Maria Delgado-Reyes.")) + "\n")
    (logs / "b.jsonl").write_text(json.dumps(_chat(CHAT_TURN)) + "\n" + json.dumps(_chat(OTHER_PERSON)) + "\n")
    _, out = redact([logs])
    a, b = _lines(out / "logs" / "a.jsonl"), _lines(out / "logs" / "b.jsonl")
    name_a = NAME.search(a[0]["messages"][0]["content"]).group(1)
    name_b = NAME.search(b[0]["messages"][0]["content"]).group(1)
    assert name_a == name_b and "Delgado" not in name_a
    assert a[0]["messages"][1]["content"] == f"Thank you, {name_a}."
    other = b[1]["messages"][0]["content"]
    assert name_a not in other and name_a.split()[0] not in other


def test_dates_of_one_person_move_together(redact, tmp_path):
    src = tmp_path / "notes.jsonl"
    turn = "Maria Delgado-Reyes was admitted on 03/02/2024 and discharged on 03/09/2024."
    src.write_text(json.dumps(_chat(turn)) + "\n")
    _, out = redact([src])
    text = _lines(out / "notes.jsonl")[0]["messages"][0]["content"]
    got = re.findall(r"(\d\d)/(\d\d)/(\d{4})", text)
    assert len(got) == 2 and "03/02/2024" not in text
    from datetime import date

    first, second = (date(int(y), int(m), int(d)) for m, d, y in got)
    assert (second - first).days == 7


def test_card_surrogates_fail_luhn_and_security_codes_are_removed(redact, tmp_path):
    src = tmp_path / "cards.jsonl"
    src.write_text(json.dumps(_chat(CARD_TURN)) + "\n")
    report, out = redact([src])
    text = _lines(out / "cards.jsonl")[0]["messages"][0]["content"]
    number = re.search(r"card (\d{4}-\d{4}-\d{4}-\d{4})", text).group(1)
    assert number != "4111-1111-1111-1111" and not luhn_ok(number.replace("-", ""))
    assert f"CVV {STRIP_MARKER}" in text and "737" not in text
    assert report.stripped["CARD_SECURITY_CODE"] == 1 and report.rules["pci-sad-card-security-code"] == 1


def test_a_value_found_in_one_field_is_replaced_in_every_field(redact, tmp_path):
    src = tmp_path / "tool.jsonl"
    record = _chat(CHAT_TURN)
    record["metadata"] = {"note": "caller 00482913 / XKM884512377", "tags": ["Delgado-Reyes"]}
    src.write_text(json.dumps(record) + "\n")
    _, out = redact([src])
    raw = (out / "tool.jsonl").read_text(encoding="utf-8")
    for value in ("00482913", "XKM884512377", "Delgado-Reyes"):
        assert value not in raw


def test_mask_mode_numbers_values_consistently(redact, tmp_path):
    src = tmp_path / "chat.jsonl"
    src.write_text(json.dumps(_chat(CHAT_TURN, "Thank you, Maria Delgado-Reyes.")) + "\n")
    _, out = redact([src], mode="mask")
    user, answer = (m["content"] for m in _lines(out / "chat.jsonl")[0]["messages"])
    name = re.search(r"Hi, I'm (<PERSON_\d+>)", user).group(1)
    assert answer == f"Thank you, {name}."


def test_an_unreadable_record_is_left_out_and_counted(redact, tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(json.dumps(_chat(CHAT_TURN)) + "\n{not json, Maria Delgado-Reyes\n" + json.dumps(_chat("ok")) + "\n")
    errors = []
    report, out = redact([src], errors=errors.append)
    raw = (out / "mixed.jsonl").read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 2 and "Delgado" not in raw
    assert report.records_unreadable == 1 and report.failed and len(errors) == 1
    assert "Delgado" not in str(errors[0])


def test_a_two_letter_value_is_replaced_elsewhere_only_as_written():
    from audit.redact.rewrite import Hit, _elsewhere

    text = "Sent to GH for cath. At GH EW he was intubated; gh levels and a GHz clock."
    leaves = [((0,), text), ((1,), "back to GH")]
    found = Hit(0, 8, 10, "LOCATION", False)
    spans = {(h.leaf, h.start, h.end) for h in _elsewhere(leaves, [found], set())}
    assert spans == {(0, 8, 10), (0, 24, 26), (1, 8, 10)}
    assert _elsewhere(leaves, [Hit(0, 8, 9, "LOCATION", False)], set()) == []  # one letter: where found only
