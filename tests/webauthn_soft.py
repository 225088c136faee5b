"""A software passkey for tests without a browser: an ES256 key pair that answers WebAuthn ceremonies the
way a platform authenticator does ("none" attestation, user present and verified), so the portal's real
checks (py_webauthn) run on real signatures. The browser suite uses Chromium's virtual authenticator."""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url, encode_cbor

PRESENT, VERIFIED, ATTESTED = 0x01, 0x04, 0x40


class SoftPasskey:
    def __init__(self, origin: str = "http://portal.test", rp_id: str = "portal.test") -> None:
        self.origin, self.rp_id = origin, rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle = ""  # base64url, from the registration options
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict, *, flags: int = PRESENT | VERIFIED | ATTESTED) -> str:
        """The browser's answer to navigator.credentials.create, as passkeys.js posts it."""
        self.user_handle = options["user"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"])
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")
                     + bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key())
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({"id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
                           "type": "public-key", "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "attestationObject": bytes_to_base64url(attestation)}})

    def get(self, options: dict, *, flags: int = PRESENT | VERIFIED, tamper: bool = False) -> str:
        """The answer to navigator.credentials.get."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if tamper:
            auth_data = auth_data[:-1] + bytes([auth_data[-1] ^ 1])
        return json.dumps({"id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
                           "type": "public-key", "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "authenticatorData": bytes_to_base64url(auth_data),
                                        "signature": bytes_to_base64url(signature),
                                        "userHandle": self.user_handle}})
