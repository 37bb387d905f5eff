// Integration tests start browsers and wait for workflows; jest's 5 s default is for unit tests.
jest.setTimeout(180_000);
