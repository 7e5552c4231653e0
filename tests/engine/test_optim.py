import torch

from mlrkit.engine.optim import CPUAutocastOptimWrapper


def test_cpu_autocast_wrapper_runs_the_forward_in_bfloat16_and_steps():
    model = torch.nn.Linear(4, 2)
    wrapper = CPUAutocastOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert model.weight.dtype == torch.float32  # master weights stay float32
    assert not torch.equal(model.weight, before)
