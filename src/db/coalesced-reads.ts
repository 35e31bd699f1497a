// A reader woken by notifications (LISTEN): one read at a time, and a wake while it reads makes
// it read once more afterwards, so what was appended meanwhile is never left unread. Reads go on
// from where the last ended, so a missed or merged notification loses nothing.
export function coalescedReads(read: () => Promise<void>, failed: (error: unknown) => void): () => Promise<void> {
  let reading: Promise<void> | undefined;
  let again = false;
  const loop = async () => {
    try {
      do {
        again = false;
        await read();
      } while (again);
    } catch (error) {
      failed(error);
    } finally {
      reading = undefined;
    }
  };
  return () => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = loop();
    return reading;
  };
}
