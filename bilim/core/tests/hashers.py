from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with minimal cost, for tests only: the same algorithm and encoding as production."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
