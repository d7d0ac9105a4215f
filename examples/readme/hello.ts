// A coroutine is an async function that owns a mailbox.
import { spawn, type Coro } from '../../index.js';

const greeter = spawn(async (coro: Coro<string>) => {
  for (;;) {
    const name = await coro.receive({ timeout: 100, alarm: null });
    if (name === null) return 'idle for 100 ms, done';
    console.log(`hello, ${name}`);
  }
});
greeter.send('Ada');
greeter.send('Joe');
console.log(await greeter.value());
// prints: hello, Ada / hello, Joe / idle for 100 ms, done
