"""API_KEY, PRIVATE_KEY, PASSWORD, CONNECTION_STRING: must / must-not tables (detect-secrets style).

The key-shaped strings below are synthetic: right shape, not real credentials.
"""

from __future__ import annotations

import pytest

from audit.scanner.recognizers.credentials import entropy

_ANT = "sk-ant-api03-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 2 + "AbCdEfGhIjKl-x_yzAA"
_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq98\nQWERTY==\n-----END RSA PRIVATE KEY-----"

POSITIVE = [
    ("key AKIAIOSFODNN7EXAMPLE here", "API_KEY", "AKIAIOSFODNN7EXAMPLE"),
    ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "API_KEY", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
    (f"use {_ANT} now", "API_KEY", _ANT),
    (
        "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9lMn0pQr1tUv2xYz3AB4DE5GH6JK7LM8NP9QR",
        "API_KEY",
        "sk-proj-Ab3dEf6hIj9lMn0pQr1tUv2xYz3AB4DE5GH6JK7LM8NP9QR",
    ),
    ("maps AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "API_KEY", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"),
    ("HF hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "API_KEY", "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"),
    (
        "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "API_KEY",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    ),
    (f"Authorization: Bearer {_JWT}", "API_KEY", _JWT),
    ("api_key: Zx9Qw3Er7Ty1Ui5Op2As", "API_KEY", "Zx9Qw3Er7Ty1Ui5Op2As"),
    (f"here is the key\n{_PEM}\nthanks", "PRIVATE_KEY", _PEM),
    ("my password is hunter2!", "PASSWORD", "hunter2"),
    ("pwd=s3cr3tP@ss", "PASSWORD", "s3cr3tP@ss"),
    ('password: "Tr0ub4dor&3"', "PASSWORD", "Tr0ub4dor&3"),
    (
        "postgres://admin:S3cretPass@db.internal:5432/prod",
        "CONNECTION_STRING",
        "postgres://admin:S3cretPass@db.internal:5432/prod",
    ),
    (
        "Server=tcp:x.example.net;Database=db;User ID=sa;Password=P@ssw0rd1;",
        "CONNECTION_STRING",
        "Server=tcp:x.example.net;Database=db;User ID=sa;Password=P@ssw0rd1;",
    ),
]

NEGATIVE = [
    ("commit 3f786850e387550fdab836ed7e6dc881de23001b", "API_KEY"),
    ("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "API_KEY"),
    ("token: aaaaaaaaaaaaaaaaaaaaaaaa", "API_KEY"),
    ("the token is abcdefghijklmnopqrstuvwxyz", "API_KEY"),
    ("sk-short", "API_KEY"),
    ("we discussed private key rotation", "PRIVATE_KEY"),
    ("The password field is required.", "PASSWORD"),
    ("Password: ********", "PASSWORD"),
    ("password=${DB_PASSWORD}", "PASSWORD"),
    ("password: <your password>", "PASSWORD"),
    ("postgres://db.internal:5432/prod", "CONNECTION_STRING"),
    ("postgres://user:${PASS}@db/prod", "CONNECTION_STRING"),
    ("https://example.com/a:b", "CONNECTION_STRING"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVE)
def test_credentials_found(found, text, entity, value):
    assert value in found(text, entity)


@pytest.mark.parametrize(("text", "entity"), NEGATIVE)
def test_credentials_not_found(found, text, entity):
    assert found(text, entity) == []


def test_entropy():
    assert entropy("aaaa") == 0
    assert entropy("Zx9Qw3Er7Ty1Ui5Op2As") > 4


def test_credentials_need_no_network(engine, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    text = "key AKIAIOSFODNN7EXAMPLE and xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    assert len(engine.analyzer.analyze(text=text, language="en", entities=["API_KEY"])) == 2
