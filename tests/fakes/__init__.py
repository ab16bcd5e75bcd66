"""Local stand-ins for the cloud: a moto_server process, and fake HTTP peers on 127.0.0.1."""
