/** A failure said in one line, read out by screen readers as it appears; nothing when there is none. */
export function Alert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

/** What shows while a reply is awaited: the failure if it failed, else what is being done. */
export function Waiting({ error, doing }: { error: string | null; doing: string }) {
  return error ? <Alert message={error} /> : <p aria-busy="true">{doing}</p>;
}
