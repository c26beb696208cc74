import os

from cryptography.fernet import Fernet

_fernet = Fernet(os.environ["VAULT_MASTER_KEY"].encode())


def decrypt(ciphertext):
    return _fernet.decrypt(bytes(ciphertext)).decode()
