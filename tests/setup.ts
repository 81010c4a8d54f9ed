import nock from 'nock';

// No test may reach the internet: only the local fakes on loopback are allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
