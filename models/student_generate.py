"""Greedy answers from the student in transformers (+ peft): the reference the served student is checked against.

    answers = generate_answers(model, tokenizer, [("ticket-triage", "My invoice is wrong")], max_new_tokens=96)

Prompts are built with models/prompt_shape.py, the shape the adapter was trained on. Batches are
left-padded so every row's answer starts right after its own prompt.
"""

from models.prompt_shape import student_messages


def generate_answers(model, tokenizer, items: list[tuple[str, str]], max_new_tokens: int, batch_size: int = 8) -> list[str]:
    """Greedy decode one answer per (route, user) item, in order."""
    import torch

    from models.student import use_for_generation

    use_for_generation(model)
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    answers: list[str] = []
    try:
        for i in range(0, len(items), batch_size):
            texts = [tokenizer.apply_chat_template(student_messages(route, user), add_generation_prompt=True, tokenize=False)
                     for route, user in items[i : i + batch_size]]
            enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                     pad_token_id=tokenizer.pad_token_id)
            answers += tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    finally:
        tokenizer.padding_side = side
    return [a.strip() for a in answers]
