/**
 * Loaded by mocha before the specs (.mocharc.json `require`): the default logger of the test
 * process and of the processes it starts is silent unless a spec asks otherwise, so that
 * coroutines failing on purpose do not fill the test output. Specs of the default logging
 * start their processes with their own environment.
 */
process.env.ASYNCORO_LOG ??= 'silent';
