#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test server's PKI: a CA, the server and device certificates, a rogue CA, and
the credentials.zip and PKCS#12 files an OTA CE gateway hands to devices."""

import datetime
import ipaddress
import json
import os
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _write_cert(path, cert):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def _issue(subject_cn, key, issuer_cert, issuer_key, ca=False, server=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(_name(subject_cn))
         .issuer_name(issuer_cert.subject if issuer_cert else _name(subject_cn))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                          False, False), critical=True)
    if server:
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    return b.sign(issuer_key or key, hashes.SHA256())


def make_certs(d):
    """ca.pem, server.{pem,key}, device.{pem,key} (CN device-1), and a rogue
    CA with rogue-device.{pem,key} that the server must refuse."""
    if os.path.exists(os.path.join(d, "ca.pem")):
        return
    for prefix in ("", "rogue-"):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _issue(prefix + "otad test CA", ca_key, None, None, ca=True)
        _write_cert(os.path.join(d, prefix + "ca.pem"), ca)
        _write_key(os.path.join(d, prefix + "ca.key"), ca_key)
        dev_key = ec.generate_private_key(ec.SECP256R1())
        _write_cert(os.path.join(d, prefix + "device.pem"),
                    _issue("device-1", dev_key, ca, ca_key))
        _write_key(os.path.join(d, prefix + "device.key"), dev_key)
        if not prefix:
            srv_key = ec.generate_private_key(ec.SECP256R1())
            _write_cert(os.path.join(d, "server.pem"),
                        _issue("localhost", srv_key, ca, ca_key, server=True))
            _write_key(os.path.join(d, "server.key"), srv_key)


def _load_ca(d):
    with open(os.path.join(d, "ca.pem"), "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(d, "ca.key"), "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    return ca, ca_key


def issue_p12(d, cn):
    """A PKCS#12 (no password) with a new key, its certificate for CN=@cn and the CA as
    the bundle's other certificate: aktualizr takes the server CA from there, for the
    fleet's bundle (Bootstrap::readTlsP12) as for the device's (Initializer::initTlsCreds)."""
    ca, ca_key = _load_ca(d)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issue(cn, key, ca, ca_key)
    return pkcs12.serialize_key_and_certificates(cn.encode(), key, cert, [ca],
                                                 serialization.NoEncryption())


def make_credentials_zip(d, url):
    """credentials.zip as OTA Connect hands it out for shared-credential provisioning:
    autoprov.url, autoprov_credentials.p12, treehub.json, tufrepo.url and no CA file
    (the CA is in the p12).  Members deflated with junked paths, as OTA CE's
    scripts/get-credentials.sh makes its archive (`zip --junk-paths`)."""
    path = os.path.join(d, "credentials.zip")
    with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("autoprov.url", url + "\n")
        z.writestr("autoprov_credentials.p12", issue_p12(d, "autoprov"))
        z.writestr("treehub.json", json.dumps(
            {"no_auth": True, "ostree": {"server": url + "/treehub/"}}, indent=4))
        z.writestr("tufrepo.url", url + "/repo\n")
    os.rename(path + ".tmp", path)


# --- server state ---------------------------------------------------------------
