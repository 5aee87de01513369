// Modal dialogs (token prompt, kill confirmation) as promises.

/** Shows a modal `dialog` until its `form` is submitted (true) or `cancel`/Escape dismisses it (false). */
export function openDialog(dialog, form, cancel, onOpen) {
  return new Promise((resolve) => {
    const done = (value) => {
      form.removeEventListener('submit', submit);
      cancel.removeEventListener('click', dismiss);
      dialog.removeEventListener('cancel', dismiss);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const submit = (event) => {
      event.preventDefault();
      done(true);
    };
    const dismiss = (event) => {
      event.preventDefault();
      done(false);
    };
    form.addEventListener('submit', submit);
    cancel.addEventListener('click', dismiss);
    dialog.addEventListener('cancel', dismiss);
    onOpen?.();
    dialog.showModal();
  });
}
